"""Milestones: the thresholds a figure is celebrated for crossing, and when the next comes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

#: A forecast further away than this is not a date worth showing.
FORECAST_HORIZON_DAYS = 3653  # ten years


@dataclass(frozen=True, slots=True)
class Ladder:
    """A set of thresholds: the `listed` ones, and every multiple of `step` above `step_above`.

    A page: 1,000, 5,000, ... 100,000 listed, then every 100,000 above the last of them.
    A territory: every 50,000. The region: every 50,000, and its goal listed.
    `step=0` means no multiples, only the listed thresholds.
    """

    listed: tuple[int, ...] = ()
    step: int = 0
    step_above: int = 0

    def __post_init__(self) -> None:
        if self.step < 0 or any(threshold <= 0 for threshold in self.listed):
            raise ValueError("thresholds and the step must be positive")

    @classmethod
    def listed_then_every(cls, listed: tuple[int, ...], step: int) -> Ladder:
        """The listed thresholds, then every multiple of `step` above the largest of them."""
        return cls(tuple(sorted(set(listed))), step, max(listed, default=0))

    @classmethod
    def every(cls, step: int, *, goal: int | None = None) -> Ladder:
        """Every multiple of `step`, and the goal if it is not one of them."""
        return cls((goal,) if goal else (), step, 0)

    def next_above(self, value: int) -> int | None:
        """The lowest threshold above `value`; None past the listed ones without a step."""
        candidates = [threshold for threshold in self.listed if threshold > value]
        if self.step > 0:
            base = max(value, self.step_above)
            candidates.append((base // self.step + 1) * self.step)
        return min(candidates, default=None)

    def next_beyond(self, value: int) -> int:
        """`next_above` for a ladder with a step (a region's, a territory's): never None.

        Raises ValueError for a ladder of listed thresholds only, past the last of them.
        """
        found = self.next_above(value)
        if found is None:
            raise ValueError(f"no threshold above {value}")
        return found


@dataclass(frozen=True, slots=True)
class Ladders:
    """The thresholds of each scope, as the settings define them (PAGE_MILESTONES and
    PAGE_MILESTONE_STEP, TERRITORY_MILESTONE_STEP, REGION_MILESTONE_STEP and REGION_GOAL).
    Alerts, charts, /total and digests all read them from here."""

    page: Ladder
    territory: Ladder
    region: Ladder

    @classmethod
    def from_settings(cls, settings: Settings) -> Ladders:
        return cls(
            page=Ladder.listed_then_every(settings.page_milestones, settings.page_milestone_step),
            territory=Ladder.every(settings.territory_milestone_step),
            region=Ladder.every(settings.region_milestone_step, goal=settings.region_goal),
        )


def crossed(ladder: Ladder, old: int, new: int, *, limit: int | None = None) -> list[int]:
    """The thresholds `t` with `old < t <= new`, ascending; none when the figure goes down.

    With `limit`, only the highest `limit` of them (a jump across thousands of steps
    names the ones that matter, not every step on the way).
    """
    if new <= old or (limit is not None and limit <= 0):
        return []
    found = {t for t in ladder.listed if old < t <= new}
    if ladder.step > 0:
        for threshold in _multiples_downwards(ladder, old, new):
            if limit is not None and len(found) >= limit and threshold < min(found):
                break
            found.add(threshold)
    ordered = sorted(found)
    return ordered[-limit:] if limit is not None else ordered


def _multiples_downwards(ladder: Ladder, old: int, new: int) -> Iterator[int]:
    """Multiples of the step in (max(old, step_above), new], highest first."""
    low = max(old, ladder.step_above)
    threshold = new - new % ladder.step
    while threshold > low:
        yield threshold
        threshold -= ladder.step


@dataclass(frozen=True, slots=True)
class Forecast:
    """When the next milestone is reached at the recent pace.

    `date` is None when the trend is flat or falling (`growing` is False) or when, growing
    too slowly, the milestone is further away than the horizon (`growing` is True).
    """

    date: dt.date | None
    growing: bool
    days: int | None = None


def forecast(
    today: dt.date,
    *,
    left: int,
    change: int,
    period_days: int = 30,
    horizon_days: int = FORECAST_HORIZON_DAYS,
) -> Forecast:
    """The day `left` more subscriptions are reached if the total keeps growing by `change`
    every `period_days`: today + ceil(left / daily rate) days."""
    if period_days <= 0:
        raise ValueError("period_days must be positive")
    if change <= 0:
        return Forecast(None, growing=False)
    if left <= 0:
        return Forecast(today, growing=True, days=0)
    # ceil(left / (change / period_days)) in integers: no rounding surprises.
    days = -(-left * period_days // change)
    if days > horizon_days:
        return Forecast(None, growing=True, days=days)
    return Forecast(today + dt.timedelta(days=days), growing=True, days=days)
