"""A monotonic clock that moves only when the code under test sleeps, for pacers."""

from __future__ import annotations

import pytest

from bot.services.collectors.common import Pacer
from tests.fakes.api_server import FakeApiServer


class Timeline:
    """`now()` in seconds; `sleep(seconds)` returns at once, moving `now` and noting the
    wait, so a test reads how long the code would have waited, and in what steps."""

    def __init__(self) -> None:
        self.current = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.current

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += seconds

    def pacer(self, rate: float) -> Pacer:
        return Pacer(rate, clock=self.now, sleep=self.sleep)


def assert_tried_again(fake: FakeApiServer, timeline: Timeline, error: object, wait: float) -> None:
    """The fake refused the first request with `error`, the collector waited `wait`
    seconds and its second request went through."""
    assert [call.error for call in fake.calls()] == [error, None]
    assert timeline.sleeps == [pytest.approx(wait)]
