"""Seminars: parsing what a coordinator types in the /seminar_new wizard."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.domain.localtime import AmbiguousLocalTime, ClockChange, LocalTimeError, to_moment

MAX_DURATION_MINUTES = 12 * 60
#: An academic hour, the unit of the continuing-education record.
ACADEMIC_HOUR_MINUTES = 45
#: The academic hours a coordinator may credit for one seminar.
MAX_ACADEMIC_HOURS = 24
MAX_CAPACITY = 10_000
#: How far ahead a seminar may be scheduled.
MAX_DAYS_AHEAD = 366
DURATION_CHOICES = (60, 90, 120)
#: Coordinators keep seeing a seminar in /seminars this long after it ended, to mark
#: attendance.
LISTED_AFTER_END_DAYS = 7


class SeminarField(StrEnum):
    """What a coordinator may change in a seminar announced; the value is the name of the
    wizard's field (and the record's) it changes."""

    STARTS_AT = "starts_at"
    PLACE = "place"
    CAPACITY = "capacity"
    DESCRIPTION = "description"


class SeminarInputError(StrEnum):
    BAD_START = "bad_start"
    START_IN_PAST = "start_in_past"
    START_TOO_FAR = "start_too_far"
    #: The clocks go forward over the start that night: it does not exist.
    NONEXISTENT_START = "nonexistent_start"
    #: The clocks go back over the start that night: it happens twice.
    AMBIGUOUS_START = "ambiguous_start"
    BAD_DURATION = "bad_duration"
    BAD_CAPACITY = "bad_capacity"
    BAD_HOURS = "bad_hours"
    #: A place that looks like a link (a scheme, or www.) but is not an http(s) one.
    BAD_LINK = "bad_link"
    #: Fewer seats than people registered already (an edit of the seats).
    BELOW_REGISTERED = "below_registered"


class SeminarInputInvalid(ValueError):
    """Input of the seminar wizard refused; `reason` says why, and for NONEXISTENT_START
    and AMBIGUOUS_START `change` is the clock change that night (otherwise None)."""

    def __init__(self, reason: SeminarInputError, change: ClockChange | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.change = change


_START = re.compile(
    r"^\s*(?:(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2}|\d{4}))?"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"[\s,Tв]+(?P<H>\d{1,2})[:.](?P<M>\d{2})\s*$"
)


def parse_start(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A start in regional time: "25.12.2026 10:00", "25.12 10:00" (the next such date),
    "2026-12-25 10:00"; returned aware, in `tz`. `now` is any aware moment.

    It must lie in the future, at most MAX_DAYS_AHEAD days ahead, and be one moment in
    `tz`: a time the clocks skip (02:30 when they go forward from 02:00 to 03:00) or
    repeat (02:30 when they go back from 03:00 to 02:00) is refused, never shifted.
    Raises SeminarInputInvalid: BAD_START, START_IN_PAST, START_TOO_FAR,
    NONEXISTENT_START or AMBIGUOUS_START (the last two with the clock change)."""
    match = _START.match(text)
    if match is None:
        raise SeminarInputInvalid(SeminarInputError.BAD_START)
    local_now = now.astimezone(tz)
    if match["iy"]:
        year, month, day = int(match["iy"]), int(match["im"]), int(match["id"])
    else:
        day, month = int(match["d"]), int(match["m"])
        year = int(match["y"]) if match["y"] else local_now.year
        if match["y"] and len(match["y"]) == 2:
            year += 2000
    try:
        # Naive wall time: which moment it is depends on the clocks that night.
        wall = dt.datetime(year, month, day, int(match["H"]), int(match["M"]))
        if not match["y"] and not match["iy"] and wall <= local_now.replace(tzinfo=None):
            wall = wall.replace(year=year + 1)  # "25.01" in December: next January
    except ValueError:
        raise SeminarInputInvalid(SeminarInputError.BAD_START) from None
    # Past and too far are judged first: then the clocks of that night do not matter.
    rough = wall.replace(tzinfo=tz)
    if rough <= local_now:
        raise SeminarInputInvalid(SeminarInputError.START_IN_PAST)
    if rough - local_now > dt.timedelta(days=MAX_DAYS_AHEAD):
        raise SeminarInputInvalid(SeminarInputError.START_TOO_FAR)
    try:
        return to_moment(wall, tz)
    except AmbiguousLocalTime as exc:
        raise SeminarInputInvalid(SeminarInputError.AMBIGUOUS_START, exc.change) from None
    except LocalTimeError as exc:
        raise SeminarInputInvalid(SeminarInputError.NONEXISTENT_START, exc.change) from None


def parse_duration(text: str) -> int:
    """Minutes: "90", "90 мин", "1:30", "1.5 ч" / "1.5 h"."""
    cleaned = text.strip().lower().replace(",", ".")
    hours = re.fullmatch(r"(\d{1,2}):(\d{2})", cleaned)
    if hours:
        minutes = int(hours[1]) * 60 + int(hours[2])
    elif found := re.fullmatch(r"(\d+(?:\.\d+)?)\s*(ч|h|час|часа|часов|hours?)\.?", cleaned):
        minutes = round(float(found[1]) * 60)
    elif found := re.fullmatch(r"(\d+)\s*(м|мин|min|minutes?)?\.?", cleaned):
        minutes = int(found[1])
    else:
        raise SeminarInputInvalid(SeminarInputError.BAD_DURATION)
    if not 0 < minutes <= MAX_DURATION_MINUTES:
        raise SeminarInputInvalid(SeminarInputError.BAD_DURATION)
    return minutes


def default_academic_hours(duration_minutes: int) -> int:
    """Academic hours (45 minutes each) a seminar of `duration_minutes` counts for,
    rounded to the nearest and at least one: 90 minutes are 2, 60 minutes are 1."""
    return max(1, (duration_minutes + ACADEMIC_HOUR_MINUTES // 2) // ACADEMIC_HOUR_MINUTES)


def parse_capacity(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not 0 < int(cleaned) <= MAX_CAPACITY:
        raise SeminarInputInvalid(SeminarInputError.BAD_CAPACITY)
    return int(cleaned)


def parse_academic_hours(text: str) -> int:
    """Academic hours typed by a coordinator: a whole number 1..MAX_ACADEMIC_HOURS.
    Raises SeminarInputInvalid(BAD_HOURS)."""
    cleaned = text.strip()
    if not cleaned.isdigit() or not 0 < int(cleaned) <= MAX_ACADEMIC_HOURS:
        raise SeminarInputInvalid(SeminarInputError.BAD_HOURS)
    return int(cleaned)


_LINKISH = re.compile(r"^(?:[a-z][a-z0-9+.\-]*://|www\.)", re.IGNORECASE)


def parse_place(text: str) -> str:
    """The place of a seminar, folded to one line: an address as typed, or a link to the
    online room. What looks like a link (starts with a scheme:// or www.) must be one
    http(s) link with a host and no spaces: "https://example.org/room", "www.example.org"
    (taken as https). Raises SeminarInputInvalid(BAD_LINK); the length is the caller's
    limit (bot.domain.limits.SEMINAR_PLACE)."""
    place = " ".join(text.split())
    if not _LINKISH.match(place):
        return place
    link = place if "://" in place else f"https://{place}"
    try:
        parts = urlsplit(link)
        host = parts.hostname or ""
    except ValueError:  # "http://[broken"
        raise SeminarInputInvalid(SeminarInputError.BAD_LINK) from None
    if (
        " " in link
        or parts.scheme.lower() not in ("http", "https")
        or "." not in host
        or host.startswith(".")
        or host.endswith(".")
    ):
        raise SeminarInputInvalid(SeminarInputError.BAD_LINK)
    return link
