"""Training figures: the periods /training offers and the figures' shapes, no I/O.

The rules (also in README.md, "Training figures"):

- a seminar is *held* in a period when it was not cancelled and it ended
  (`starts_at + duration_minutes * 60`) inside the period, which never reaches past now;
- *people trained*: distinct users with an attendance row for a held seminar;
- *academic hours delivered*: the sum over attendances of the seminar's academic hours
  (45-minute hours a participant adds to their continuing-education record);
  `seminar_hours` is the sum over held seminars of their academic hours (hours taught);
- *attendance rate*: registrations for held seminars that have an attendance row, over
  all registrations for them (people who came unregistered are trained, but do not raise
  the rate above 100 %);
- *average rating*: the mean of the 1–5 ratings (seminar_feedback) of held seminars;
- *coverage*: the share of approved pages at least one of whose current administrators
  (page_admins) ever attended a seminar that was not cancelled, up to the period's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.localtime import DAY

#: Territories listed on one screen of /training, worst coverage first.
TERRITORIES_PER_SCREEN = 15


class TrainingPeriod(StrEnum):
    """A period /training can show; the value is its code in callback data."""

    THIS_YEAR = "y"
    LAST_30_DAYS = "30"
    LAST_QUARTER = "q"  # the last full calendar quarter
    LAST_YEAR = "ly"

    def bounds(self, now: int, tz: dt.tzinfo) -> tuple[int, int]:
        """The period as [since, until) in Unix seconds, calendar edges at midnight in
        `tz` (the region's); `until` is never after `now`."""
        today = dt.datetime.fromtimestamp(now, tz)
        year_start = dt.datetime(today.year, 1, 1, tzinfo=tz)
        if self is TrainingPeriod.THIS_YEAR:
            return int(year_start.timestamp()), now
        if self is TrainingPeriod.LAST_30_DAYS:
            return now - 30 * DAY, now
        if self is TrainingPeriod.LAST_YEAR:
            last = dt.datetime(today.year - 1, 1, 1, tzinfo=tz)
            return int(last.timestamp()), int(year_start.timestamp())
        quarter_month = (today.month - 1) // 3 * 3 + 1
        end = dt.datetime(today.year, quarter_month, 1, tzinfo=tz)
        start_month, start_year = quarter_month - 3, today.year
        if start_month < 1:
            start_month, start_year = start_month + 12, start_year - 1
        start = dt.datetime(start_year, start_month, 1, tzinfo=tz)
        return int(start.timestamp()), int(end.timestamp())


@dataclass(frozen=True, slots=True)
class Coverage:
    """Approved pages of a territory (None: of a whole scope) and how many of them have a
    trained current administrator."""

    territory_id: int | None
    pages: int
    covered: int

    @property
    def share(self) -> float | None:
        """covered / pages in [0, 1]; None when there are no approved pages."""
        return self.covered / self.pages if self.pages else None


def total_coverage(rows: list[Coverage]) -> Coverage:
    """The territories' coverage summed into one (territory None)."""
    return Coverage(None, sum(row.pages for row in rows), sum(row.covered for row in rows))


@dataclass(frozen=True, slots=True)
class SeminarFigures:
    """What held seminars add up to (see the module's rules)."""

    seminars: int = 0
    seminar_hours: int = 0  # sum of the held seminars' academic hours
    people: int = 0  # distinct attendees
    person_hours: int = 0  # sum over attendances of the seminar's academic hours
    registered: int = 0
    came: int = 0  # registrations with an attendance row
    ratings: int = 0
    rating_sum: int = 0

    @property
    def attendance_rate(self) -> float | None:
        """came / registered in [0, 1]; None without registrations."""
        return self.came / self.registered if self.registered else None

    @property
    def average_rating(self) -> float | None:
        """The mean rating (1–5); None without ratings."""
        return self.rating_sum / self.ratings if self.ratings else None


@dataclass(frozen=True, slots=True)
class TrainingReport:
    """/training over [since, until) for a scope (None: the region)."""

    scope: int | None
    period: TrainingPeriod
    since: int
    until: int
    figures: SeminarFigures
    #: Per territory, worst coverage first (territories without approved pages left out).
    coverage: list[Coverage] = field(default_factory=list)

    @property
    def total(self) -> Coverage:
        """The scope's coverage in all: its territories' pages and covered pages summed."""
        return total_coverage(self.coverage)


@dataclass(frozen=True, slots=True)
class TrainingWeek:
    """The digest's training block for a scope: the last week's held seminars, and the
    coverage at the week's start and end (today's administrators; see the storage)."""

    figures: SeminarFigures
    before: Coverage
    now: Coverage
