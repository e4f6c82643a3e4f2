"""Local wall times turned into moments, refusing the ones a clock change skips or repeats;
whether a schedule had a run in a span of time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

#: Seconds in a day and a week: the units of every stored moment (Unix seconds).
DAY: Final = 86_400
WEEK: Final = 7 * DAY


@dataclass(frozen=True)
class ClockChange:
    """A change of a zone's clocks: at one moment the local wall clock goes from
    `clock_from` to `clock_to` (naive local date and time). Forward ("02:00" to "03:00")
    leaves a gap of times that do not exist; back ("03:00" to "02:00") repeats them."""

    clock_from: dt.datetime
    clock_to: dt.datetime

    @property
    def forward(self) -> bool:
        return self.clock_to > self.clock_from


class LocalTimeError(ValueError):
    """A wall time that is not one moment in its zone; `change` is the clock change at fault."""

    def __init__(self, wall: dt.datetime, change: ClockChange) -> None:
        super().__init__(f"{wall:%Y-%m-%d %H:%M} around {change.clock_from:%H:%M}")
        self.wall = wall
        self.change = change


class NonexistentLocalTime(LocalTimeError):
    """The clocks jump over this wall time: it never happens."""


class AmbiguousLocalTime(LocalTimeError):
    """The clocks go back over this wall time: it happens twice."""


def to_moment(wall: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """The one moment at which the clocks of `tz` show `wall` (a naive local date and time;
    a tzinfo it has is ignored); returned aware, in `tz`.

    Raises NonexistentLocalTime when a clock change skips `wall` (e.g. 02:30 on the night
    the clocks go forward from 02:00 to 03:00) and AmbiguousLocalTime when one repeats it:
    such a time is never shifted to a neighbouring one or silently given one of its two
    meanings."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    change = _change_between(first, second, tz)
    # A real time reads back as itself from at least one of its moments; a skipped one
    # reads back as a time on the other side of the gap.
    if first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != first.replace(tzinfo=None):
        raise NonexistentLocalTime(wall.replace(tzinfo=None), change)
    raise AmbiguousLocalTime(wall.replace(tzinfo=None), change)


def _change_between(first: dt.datetime, second: dt.datetime, tz: ZoneInfo) -> ClockChange:
    """The clock change between the two readings (fold 0 and fold 1) of one wall time."""
    # A ZoneInfo always has an offset; "or" only narrows the type (a zero offset stays zero).
    old = first.utcoffset() or dt.timedelta()
    new = second.utcoffset() or dt.timedelta()
    # The earlier of the two moments is still on the old offset, the later one on the new:
    # find the first second on the new one.
    before, after = sorted((int(first.timestamp()), int(second.timestamp())))
    while after - before > 1:
        middle = (before + after) // 2
        if dt.datetime.fromtimestamp(middle, tz).utcoffset() == old:
            before = middle
        else:
            after = middle
    moment = dt.datetime.fromtimestamp(after, dt.UTC).replace(tzinfo=None)
    return ClockChange(clock_from=moment + old, clock_to=moment + new)


def cron_fired(cron: str, since: dt.datetime, until: dt.datetime) -> bool:
    """Whether the schedule `cron` (crontab syntax, read in `since`'s time zone) has a run
    at a moment from `since` to `until`, both included; both aware datetimes.

    The scheduler's catch-up asks it: a job whose run fell while the bot was down is due.
    """
    trigger = CronTrigger.from_crontab(cron, timezone=since.tzinfo)
    first: dt.datetime | None = trigger.get_next_fire_time(None, since)
    return first is not None and first <= until
