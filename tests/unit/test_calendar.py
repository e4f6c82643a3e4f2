"""A seminar's calendar file: it parses with icalendar and places the seminar at the right
moment in the region's zone, summer time included, under a UID that stays the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event

from bot.domain.segments import Segment
from bot.storage.seminars import Seminar
from bot.texts.calendar import seminar_calendar

MOSCOW, BERLIN = ZoneInfo("Europe/Moscow"), ZoneInfo("Europe/Berlin")
BOT_ID = 123456789
NOW = 1_790_000_000


def seminar_at(
    start: dt.datetime, minutes: int = 90, *, place: str = "https://example.org/room?a=1&b=2"
) -> Seminar:
    return Seminar(
        id=7,
        title="SMM, basics; <and> more",
        description="Line one\nLine two",
        starts_at=int(start.timestamp()),
        duration_minutes=minutes,
        place=place,
        capacity=None,
        segment=Segment(),
        created_by=1,
        created_at=NOW,
        revision=0,
    )


def aware(value: dt.date) -> dt.datetime:
    """A start or end as read: a moment with its zone, not a day."""
    assert isinstance(value, dt.datetime)
    assert value.tzinfo is not None
    return value


def parse(data: bytes) -> tuple[Calendar, Event]:
    calendar = Calendar.from_ical(data)
    [event] = calendar.events
    return calendar, event


def test_the_file_parses_and_carries_the_seminar() -> None:
    seminar = seminar_at(dt.datetime(2026, 10, 1, 10, 0, tzinfo=MOSCOW))
    calendar, event = parse(seminar_calendar(seminar, MOSCOW, bot_id=BOT_ID, now=NOW))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(event["UID"]) == "seminar-7-bot123456789@t.me"
    assert str(event["SUMMARY"]) == "SMM, basics; <and> more"
    assert str(event["DESCRIPTION"]) == "Line one\nLine two\n\nhttps://example.org/room?a=1&b=2"
    assert str(event["URL"]) == "https://example.org/room?a=1&b=2"
    assert "LOCATION" not in event
    assert event.sequence == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.stamp == dt.datetime.fromtimestamp(NOW, dt.UTC)
    assert event.start == dt.datetime(2026, 10, 1, 10, 0, tzinfo=MOSCOW)
    assert aware(event.start).replace(tzinfo=None) == dt.datetime(2026, 10, 1, 10, 0)  # wall time
    assert event.end == dt.datetime(2026, 10, 1, 11, 30, tzinfo=MOSCOW)
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/Moscow"


def test_a_place_is_a_location_and_a_change_keeps_the_uid() -> None:
    seminar = seminar_at(dt.datetime(2026, 10, 1, 10, 0, tzinfo=MOSCOW), place="Пенза, ул. Мира 1")
    _, first = parse(seminar_calendar(seminar, MOSCOW, bot_id=BOT_ID, now=NOW))
    assert str(first["LOCATION"]) == "Пенза, ул. Мира 1"
    assert "URL" not in first
    assert str(first["DESCRIPTION"]) == "Line one\nLine two"

    moved = replace(seminar, starts_at=seminar.starts_at + 3600, revision=2)
    _, second = parse(seminar_calendar(moved, MOSCOW, bot_id=BOT_ID, now=NOW + 60))
    assert second["UID"] == first["UID"]
    assert second.sequence == 2
    assert second.start == dt.datetime(2026, 10, 1, 11, 0, tzinfo=MOSCOW)
    assert str(second["STATUS"]) == "CONFIRMED"

    cancelled = replace(moved, cancelled_at=NOW + 120, revision=3)
    _, third = parse(seminar_calendar(cancelled, MOSCOW, bot_id=BOT_ID, now=NOW + 120))
    assert third["UID"] == first["UID"]
    assert (str(third["STATUS"]), third.sequence) == ("CANCELLED", 3)


@pytest.mark.parametrize(
    ("start", "minutes", "end", "offsets"),
    [
        # Summer time: UTC+2.
        (dt.datetime(2027, 7, 1, 10, 0), 60, dt.datetime(2027, 7, 1, 11, 0), (2, 2)),
        # Winter time: UTC+1.
        (dt.datetime(2026, 12, 1, 10, 0), 60, dt.datetime(2026, 12, 1, 11, 0), (1, 1)),
        # Across the night the clocks go back: three hours take the wall clock two ahead.
        (dt.datetime(2026, 10, 25, 1, 30), 180, dt.datetime(2026, 10, 25, 3, 30), (2, 1)),
        # Across the night the clocks go forward: two hours take it three ahead.
        (dt.datetime(2027, 3, 28, 1, 30), 120, dt.datetime(2027, 3, 28, 4, 30), (1, 2)),
    ],
)
def test_times_carry_the_zone_and_its_summer_time(
    start: dt.datetime, minutes: int, end: dt.datetime, offsets: tuple[int, int]
) -> None:
    seminar = seminar_at(start.replace(tzinfo=BERLIN), minutes)
    data = seminar_calendar(seminar, BERLIN, bot_id=BOT_ID, now=NOW)
    assert f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}".encode() in data
    assert f"DTEND;TZID=Europe/Berlin:{end:%Y%m%dT%H%M%S}".encode() in data
    calendar, event = parse(data)
    assert aware(event.start).timestamp() == seminar.starts_at
    assert aware(event.end).timestamp() == seminar.ends_at
    # A calendar that does not know the zone's name reads it from the file's VTIMEZONE:
    # that alone must place the seminar at the same moments.
    [zone] = calendar.timezones
    rules = zone.to_tz(lookup_tzid=False)
    for wall, hours in zip((start, end), offsets, strict=True):
        local = wall.replace(tzinfo=rules)
        assert local.utcoffset() == dt.timedelta(hours=hours)
    assert start.replace(tzinfo=rules).timestamp() == seminar.starts_at
    assert end.replace(tzinfo=rules).timestamp() == seminar.ends_at
