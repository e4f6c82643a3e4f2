"""Milestones of the region's total."""

from __future__ import annotations


def next_milestone(total: int, *, step: int, goal: int) -> int:
    """The first threshold above `total`: a multiple of `step`, or the goal if nearer."""
    if step <= 0:
        raise ValueError("step must be positive")
    next_step = (total // step + 1) * step
    if total < goal < next_step:
        return goal
    return next_step
