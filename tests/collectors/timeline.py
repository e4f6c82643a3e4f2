"""A monotonic clock that moves only when the code under test sleeps, for pacers."""

from __future__ import annotations

from bot.services.collectors.common import Pacer


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
