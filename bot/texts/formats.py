"""Numbers, dates and names as each language writes them."""

from __future__ import annotations

import datetime as dt
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from bot.storage.records import Territory, User


def number(value: int, locale: str) -> str:
    """`value` with the locale's grouping: "987 000" in Russian, "987,000" in English."""
    return format_decimal(value, locale=locale)


def share(part: int, whole: int, locale: str) -> str:
    """`part` of `whole` as a whole percentage: "42 %" in Russian, "42%" in English;
    "0 %" of nothing."""
    return format_percent(part / whole if whole else 0, locale=locale)


def signed(value: int, locale: str) -> str:
    """A change with its sign: "+1 200", "−35" (a true minus sign), "0"."""
    if value > 0:
        return "+" + number(value, locale)
    if value < 0:
        return "−" + number(-value, locale)
    return "0"


def date(timestamp: int, tz: ZoneInfo, locale: str) -> str:
    """The day of the Unix `timestamp` (seconds) in `tz`, medium format: "21 сент. 2026 г."."""
    moment = dt.datetime.fromtimestamp(timestamp, tz)
    return format_date(moment, format="medium", locale=locale)


#: A day in words, as seminars, certificates and training figures write it.
_DAY = "d MMMM y"


def day(timestamp: int, tz: ZoneInfo, locale: str) -> str:
    """The day of the Unix `timestamp` (seconds) in `tz`, in words: "1 октября 2026",
    "1 October 2026"; the day part of `moment`, for seminars, certificates and /training."""
    return format_datetime(dt.datetime.fromtimestamp(timestamp, tz), format=_DAY, locale=locale)


def moment(timestamp: int, tz: ZoneInfo, locale: str) -> str:
    """A date and time of the Unix `timestamp` (seconds) in `tz`: "25 декабря 2026, 10:00"."""
    return format_datetime(
        dt.datetime.fromtimestamp(timestamp, tz), format=f"{_DAY}, HH:mm", locale=locale
    )


def territory_name(territories: list[Territory], territory_id: int, locale: str) -> str:
    """The name of territory `territory_id` in `locale`, or "?" if it is not in the list.
    Not escaped."""
    for territory in territories:
        if territory.id == territory_id:
            return territory.name(locale)
    return "?"


def person(user: User) -> str:
    """Who a user is, for coordinators: "Иван @ivan (id 200)"; name and username escaped."""
    name = escape(user.full_name or "")
    handle = f" @{escape(user.username)}" if user.username else ""
    return f"{name}{handle} (id {user.id})".strip()
