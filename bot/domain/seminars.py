"""Seminars: parsing what a coordinator types in the /seminar_new wizard."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from zoneinfo import ZoneInfo

TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 1_000
PLACE_LIMIT = 300
MAX_DURATION_MINUTES = 8 * 60
MAX_CAPACITY = 10_000
#: How far ahead a seminar may be scheduled.
MAX_DAYS_AHEAD = 366
DURATION_CHOICES = (60, 90, 120)


class SeminarInputError(StrEnum):
    BAD_START = "bad_start"
    START_IN_PAST = "start_in_past"
    START_TOO_FAR = "start_too_far"
    BAD_DURATION = "bad_duration"
    BAD_CAPACITY = "bad_capacity"


class SeminarInputInvalid(ValueError):
    def __init__(self, reason: SeminarInputError) -> None:
        super().__init__(reason.value)
        self.reason = reason


_START = re.compile(
    r"^\s*(?:(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2}|\d{4}))?"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"[\s,Tв]+(?P<H>\d{1,2})[:.](?P<M>\d{2})\s*$"
)


def parse_start(text: str, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    """A start in regional time: "25.12.2026 10:00", "25.12 10:00" (the next such date),
    "2026-12-25 10:00". It must lie in the future, at most MAX_DAYS_AHEAD days ahead."""
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
        start = dt.datetime(year, month, day, int(match["H"]), int(match["M"]), tzinfo=tz)
        if not match["y"] and not match["iy"] and start <= local_now:
            start = start.replace(year=year + 1)  # "25.01" in December: next January
    except ValueError:
        raise SeminarInputInvalid(SeminarInputError.BAD_START) from None
    if start <= local_now:
        raise SeminarInputInvalid(SeminarInputError.START_IN_PAST)
    if start - local_now > dt.timedelta(days=MAX_DAYS_AHEAD):
        raise SeminarInputInvalid(SeminarInputError.START_TOO_FAR)
    return start


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


def parse_capacity(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not 0 < int(cleaned) <= MAX_CAPACITY:
        raise SeminarInputInvalid(SeminarInputError.BAD_CAPACITY)
    return int(cleaned)
