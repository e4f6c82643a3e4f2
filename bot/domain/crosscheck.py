"""The cross-check of reported figures against observed ones, and of an observed figure
against the one before it: pure rules, the thresholds from settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.localtime import DAY

#: An observation counts as "the day before" of the next one when taken at most this
#: long before it (seconds): a nightly run a few hours late still compares with the last.
JUMP_WINDOW = DAY + DAY // 2

#: Observations this recent (seconds) back a page's figure in /total's verified share.
VERIFIED_WINDOW = 7 * DAY


class FlagKind(StrEnum):
    """What the cross-check found on a page (the `page_flags.kind` column)."""

    #: A report far from the same day's observation.
    DISCREPANCY = "discrepancy"
    #: An observed count that jumped in a day: possibly bought subscribers.
    JUMP = "jump"


def differs(reported: int, observed: int, threshold: float) -> bool:
    """Whether a report is further from the observation than `threshold` (a fraction:
    0.05 is DISCREPANCY_THRESHOLD's 5 %) of the observed figure. An observed 0 differs
    from any reported figure but 0."""
    if observed == 0:
        return reported != 0
    return abs(reported - observed) > threshold * observed


def jumped(previous: int, current: int, threshold: float) -> bool:
    """Whether an observed count grew by more than `threshold` (a fraction: 0.2 is
    JUMP_THRESHOLD's 20 %) since the previous observation. Falls are not flagged: nobody
    buys them, and a rise from 0 has no base to measure it by."""
    if previous <= 0:
        return False
    return current - previous > threshold * previous


def day_start(moment: int, tz: dt.tzinfo) -> int:
    """The Unix time (seconds) of the start of `moment`'s day in `tz`: "the same day" of
    a report and an observation is the region's calendar day."""
    local = dt.datetime.fromtimestamp(moment, tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return int(midnight.timestamp())


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The cross-check's settings: DISCREPANCY_THRESHOLD and JUMP_THRESHOLD (fractions:
    0.05 is 5 %), and the region's time zone, whose calendar day is "the same day"."""

    discrepancy: float = 0.05
    jump: float = 0.2
    tz: dt.tzinfo = dt.UTC

    def discrepant(
        self, *, reported: int, reported_at: int, observed: int, observed_at: int
    ) -> bool:
        """Whether a report and an observation of the same day differ beyond the
        threshold; figures of different days are never compared."""
        if not self.same_day(reported_at, observed_at):
            return False
        return differs(reported, observed, self.discrepancy)

    def agrees(self, *, reported: int, reported_at: int, observed: int, observed_at: int) -> bool:
        """Whether a report and an observation of the same day are within the threshold:
        what clears a discrepancy. Figures of different days never agree (nor differ)."""
        if not self.same_day(reported_at, observed_at):
            return False
        return not differs(reported, observed, self.discrepancy)

    def same_day(self, first: int, second: int) -> bool:
        """Whether two moments (Unix seconds) fall on one calendar day of the region."""
        return day_start(first, self.tz) == day_start(second, self.tz)

    def jump_from(
        self, previous: int | None, previous_at: int | None, figure: int, now: int
    ) -> bool:
        """Whether an observation of `figure` at `now` jumped from the previous one
        (None: there was none), taken at most JUMP_WINDOW before."""
        if previous is None or previous_at is None or now - previous_at > JUMP_WINDOW:
            return False
        return jumped(previous, figure, self.jump)
