"""The pacer's spacing, on a clock that moves only when it sleeps."""

from __future__ import annotations

import pytest

from bot.services.collectors.common import PACE_MARGIN, Pacer
from tests.collectors.timeline import Timeline


async def test_requests_start_evenly_spaced_a_little_under_the_rate() -> None:
    timeline = Timeline()
    pacer = timeline.pacer(4)

    for _ in range(5):
        await pacer.wait()

    gap = (1 + PACE_MARGIN) / 4
    assert timeline.sleeps == pytest.approx([gap] * 4)


async def test_a_pacer_idle_for_a_while_lets_the_next_request_go_at_once() -> None:
    timeline = Timeline()
    pacer = timeline.pacer(2)
    await pacer.wait()
    timeline.current += 10

    await pacer.wait()

    assert timeline.sleeps == []


async def test_a_hold_delays_the_next_start_by_the_wait_asked_for() -> None:
    timeline = Timeline()
    pacer = timeline.pacer(100)
    await pacer.wait()

    pacer.hold(3.0)
    await pacer.wait()

    assert timeline.sleeps == [pytest.approx(3.0)]


def test_a_rate_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)
