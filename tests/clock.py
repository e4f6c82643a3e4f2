"""The tests' time: a fixed "now" and a clock that moves only when a test moves it."""

from __future__ import annotations

START = 1_790_000_000  # 2026-09-21, a fixed "now" for every test


class FakeClock:
    """A clock that moves only when a test moves it."""

    def __init__(self, now: int = START) -> None:
        self.current = now

    def now(self) -> int:
        return self.current

    def advance(self, seconds: int) -> None:
        self.current += seconds
