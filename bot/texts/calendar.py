"""A seminar as a calendar file (iCalendar, RFC 5545), and the caption it is sent with.

The entry's UID stays the same for the seminar's whole life and its SEQUENCE is the
seminar's revision (bumped by every change a coordinator makes), so a calendar that
imported the file before replaces its entry with the newer one; a cancelled seminar's
file carries STATUS:CANCELLED. The start and end are written in the region's time zone
(DTSTART;TZID=...) with the zone's VTIMEZONE, so calendars that do not know the zone's
name still place the seminar at the right moment, summer time included.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from icalendar import Calendar, Event

from bot.storage.seminars import Seminar

PRODUCT_ID = "-//gospublic-bot//seminars//RU"
#: The VTIMEZONE describes the zone's rules this long before the start and after the end.
_ZONE_MARGIN = dt.timedelta(days=366)


def seminar_uid(seminar_id: int, bot_id: int) -> str:
    """The seminar's calendar entry's UID: the same for every file of the seminar, unique
    across bots (`bot_id`: the bot's Telegram id, which never changes)."""
    return f"seminar-{seminar_id}-bot{bot_id}@t.me"


def online_link(place: str) -> str | None:
    """The place when it is a web link (an online seminar's room), else None."""
    place = place.strip()
    if place.startswith(("https://", "http://")) and not any(c.isspace() for c in place):
        return place
    return None


def seminar_calendar(seminar: Seminar, tz: ZoneInfo, *, bot_id: int, now: int) -> bytes:
    """The seminar as an .ics file (UTF-8 bytes): one VEVENT with its UID (`seminar_uid`),
    DTSTAMP `now` (Unix seconds, written in UTC), DTSTART and DTEND in `tz` with the
    zone's VTIMEZONE, SUMMARY (the title), DESCRIPTION (the description, and the link
    of an online seminar), URL (the link) or LOCATION (a place that is not a link),
    SEQUENCE (the seminar's revision) and STATUS (CANCELLED, else CONFIRMED). Texts go
    in as typed: the format escapes them."""
    start = dt.datetime.fromtimestamp(seminar.starts_at, tz)
    end = dt.datetime.fromtimestamp(seminar.ends_at, tz)
    link = online_link(seminar.place)
    event = Event()
    event.add("uid", seminar_uid(seminar.id, bot_id))
    event.add("dtstamp", dt.datetime.fromtimestamp(now, dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", seminar.title)
    description = "\n\n".join(part for part in (seminar.description, link) if part)
    if description:
        event.add("description", description)
    if link is None:
        event.add("location", seminar.place)
    else:
        event.add("url", link)
    event.add("sequence", seminar.revision)
    event.add("status", "CANCELLED" if seminar.cancelled_at is not None else "CONFIRMED")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    calendar.add_missing_timezones(
        first_date=(start - _ZONE_MARGIN).date(), last_date=(end + _ZONE_MARGIN).date()
    )
    data: bytes = calendar.to_ical()
    return data


def calendar_file_name(seminar: Seminar) -> str:
    """The .ics file's name: "seminar-<id>.ics" (the same for every revision)."""
    return f"seminar-{seminar.id}.ics"


def calendar_caption(seminar: Seminar) -> str:
    """The caption of the seminar's calendar file, in the current language (HTML; the
    title escaped)."""
    title = escape(seminar.title)
    if seminar.cancelled_at is not None:
        return _(
            "📅 <b>{title}</b> was cancelled. Open the file to mark it cancelled in your calendar."
        ).format(title=title)
    return _(
        "📅 <b>{title}</b>: open the file to add the seminar to your calendar. If the "
        "seminar changes, open the new file from its card: the same entry is updated."
    ).format(title=title)
