"""What a coordinator types into the seminar wizard: start (regional time), duration,
academic hours, place or link, capacity."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.domain.localtime import (
    AmbiguousLocalTime,
    ClockChange,
    NonexistentLocalTime,
    to_moment,
)
from bot.domain.seminars import (
    SeminarInputError,
    SeminarInputInvalid,
    default_academic_hours,
    parse_academic_hours,
    parse_capacity,
    parse_duration,
    parse_place,
    parse_start,
)
from tests.checks import cases, raised

MSK = ZoneInfo("Europe/Moscow")

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 9, 21, 12, 0, tzinfo=MSK)  # a Monday noon
# In Europe/Berlin the clocks go back from 03:00 to 02:00 on 25.10.2026 and forward from
# 02:00 to 03:00 on 28.03.2027 (the last Sundays of October and March).
FORWARD = ClockChange(dt.datetime(2027, 3, 28, 2, 0), dt.datetime(2027, 3, 28, 3, 0))
BACK = ClockChange(dt.datetime(2026, 10, 25, 3, 0), dt.datetime(2026, 10, 25, 2, 0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01.10.2026 10:00", dt.datetime(2026, 10, 1, 10, 0, tzinfo=MSK)),
        ("1.10.26 9:30", dt.datetime(2026, 10, 1, 9, 30, tzinfo=MSK)),
        ("  01/10/2026, 10.00 ", dt.datetime(2026, 10, 1, 10, 0, tzinfo=MSK)),
        ("2026-10-01 10:00", dt.datetime(2026, 10, 1, 10, 0, tzinfo=MSK)),
        ("01.10 10:00", dt.datetime(2026, 10, 1, 10, 0, tzinfo=MSK)),
        ("15.01 10:00", dt.datetime(2027, 1, 15, 10, 0, tzinfo=MSK)),  # the next 15 January
        ("21.09 11:00", dt.datetime(2027, 9, 21, 11, 0, tzinfo=MSK)),  # today, an hour ago
    ],
)
def test_start_is_parsed_in_regional_time(text: str, expected: dt.datetime) -> None:
    assert parse_start(text, NOW, MSK) == expected


#: Starts refused (at NOW, in Moscow), by the reason given.
BAD_STARTS: dict[SeminarInputError, list[str]] = {
    SeminarInputError.BAD_START: ["tomorrow", "01.10.2026", "31.02.2027 10:00", "01.10.2026 25:00"],
    SeminarInputError.START_IN_PAST: ["21.09.2026 11:59"],
    SeminarInputError.START_TOO_FAR: ["01.10.2027 10:00"],
}


@pytest.mark.parametrize(("text", "reason"), cases(BAD_STARTS))
def test_bad_starts_are_refused_with_a_reason(text: str, reason: SeminarInputError) -> None:
    assert raised(SeminarInputInvalid, parse_start, text, NOW, MSK).reason is reason


@pytest.mark.parametrize(
    ("text", "reason", "change"),
    [
        ("28.03.2027 02:30", SeminarInputError.NONEXISTENT_START, FORWARD),
        ("28.03.2027 02:00", SeminarInputError.NONEXISTENT_START, FORWARD),
        ("28.03.2027 02:59", SeminarInputError.NONEXISTENT_START, FORWARD),
        ("28.03 02:30", SeminarInputError.NONEXISTENT_START, FORWARD),  # the next 28 March
        ("2027-03-28 02:30", SeminarInputError.NONEXISTENT_START, FORWARD),
        ("25.10.2026 02:30", SeminarInputError.AMBIGUOUS_START, BACK),
        ("25.10.2026 02:00", SeminarInputError.AMBIGUOUS_START, BACK),
        ("25.10 02:59", SeminarInputError.AMBIGUOUS_START, BACK),
    ],
)
def test_a_start_the_clocks_skip_or_repeat_is_refused(
    text: str, reason: SeminarInputError, change: ClockChange
) -> None:
    refusal = raised(SeminarInputInvalid, parse_start, text, NOW, BERLIN)
    assert refusal.reason is reason
    assert refusal.change == change


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("28.03.2027 01:59", dt.datetime(2027, 3, 28, 0, 59, tzinfo=dt.UTC)),  # CET
        ("28.03.2027 03:00", dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC)),  # CEST
        ("28.03.2027 03:30", dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)),
        ("25.10.2026 01:59", dt.datetime(2026, 10, 24, 23, 59, tzinfo=dt.UTC)),  # CEST
        ("25.10.2026 03:00", dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.UTC)),  # CET
        ("27.10.2026 02:30", dt.datetime(2026, 10, 27, 1, 30, tzinfo=dt.UTC)),  # no change
    ],
)
def test_a_start_next_to_a_clock_change_is_the_moment_written(text: str, utc: dt.datetime) -> None:
    start = parse_start(text, NOW, BERLIN)
    assert start == utc
    assert start.replace(tzinfo=None) == start.astimezone(BERLIN).replace(tzinfo=None)


def test_moscow_has_no_clock_changes() -> None:
    for day in range(366):
        wall = dt.datetime(2026, 9, 22, 2, 30) + dt.timedelta(days=day)
        assert to_moment(wall, MSK).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    ("zone", "wall", "error", "change"),
    [
        (
            "Europe/Berlin",
            dt.datetime(2027, 3, 28, 2, 30),
            NonexistentLocalTime,
            (dt.datetime(2027, 3, 28, 2, 0), dt.datetime(2027, 3, 28, 3, 0)),
        ),
        (
            "Europe/Berlin",
            dt.datetime(2026, 10, 25, 2, 30),
            AmbiguousLocalTime,
            (dt.datetime(2026, 10, 25, 3, 0), dt.datetime(2026, 10, 25, 2, 0)),
        ),
        (  # a half-hour change
            "Australia/Lord_Howe",
            dt.datetime(2026, 10, 4, 2, 15),
            NonexistentLocalTime,
            (dt.datetime(2026, 10, 4, 2, 0), dt.datetime(2026, 10, 4, 2, 30)),
        ),
        (  # the clocks go forward at midnight
            "America/Havana",
            dt.datetime(2027, 3, 14, 0, 30),
            NonexistentLocalTime,
            (dt.datetime(2027, 3, 14, 0, 0), dt.datetime(2027, 3, 14, 1, 0)),
        ),
    ],
)
def test_local_times_a_clock_change_skips_or_repeats_are_reported(
    zone: str,
    wall: dt.datetime,
    error: type[Exception],
    change: tuple[dt.datetime, dt.datetime],
) -> None:
    with pytest.raises(error) as caught:
        to_moment(wall, ZoneInfo(zone))
    assert isinstance(caught.value, NonexistentLocalTime | AmbiguousLocalTime)
    assert (caught.value.change.clock_from, caught.value.change.clock_to) == change
    assert caught.value.change.forward is (error is NonexistentLocalTime)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("90", 90), ("90 мин", 90), ("45 min", 45), ("1:30", 90), ("1,5 ч", 90), ("2 h", 120)],
)
def test_duration_is_parsed(text: str, minutes: int) -> None:
    assert parse_duration(text) == minutes


@pytest.mark.parametrize("text", ["", "0", "-5", "nine", "13 h", "721"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(SeminarInputInvalid):
        parse_duration(text)


def test_capacity_is_a_positive_whole_number() -> None:
    assert parse_capacity(" 25 ") == 25
    for text in ("0", "-1", "2.5", "many", "10001"):
        with pytest.raises(SeminarInputInvalid):
            parse_capacity(text)


@pytest.mark.parametrize(
    ("minutes", "hours"), [(1, 1), (45, 1), (60, 1), (68, 2), (90, 2), (720, 16)]
)
def test_academic_hours_default_from_the_duration(minutes: int, hours: int) -> None:
    assert default_academic_hours(minutes) == hours


def test_twelve_hours_is_the_longest_seminar() -> None:
    assert parse_duration("12 h") == 720


@pytest.mark.parametrize(("text", "hours"), [("1", 1), (" 3 ", 3), ("24", 24)])
def test_academic_hours_are_a_whole_number_up_to_24(text: str, hours: int) -> None:
    assert parse_academic_hours(text) == hours


@pytest.mark.parametrize("text", ["0", "25", "1.5", "-2", "два", ""])
def test_other_academic_hours_are_refused(text: str) -> None:
    refusal = raised(SeminarInputInvalid, parse_academic_hours, text)
    assert refusal.reason is SeminarInputError.BAD_HOURS


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("https://example.org/room?a=1&b=2", "https://example.org/room?a=1&b=2"),
        ("  ул. Ленина,\n 1 ", "ул. Ленина, 1"),  # an address, folded to one line
        ("www.zoom.us/j/123", "https://www.zoom.us/j/123"),
        ("HTTP://Example.org", "HTTP://Example.org"),
    ],
)
def test_a_place_is_an_address_or_a_link(text: str, place: str) -> None:
    assert parse_place(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "http://",
        "https://exa mple.org",
        "ftp://files.example.org",
        "https://localhost",
        "http://[x",
        "www.",
    ],
)
def test_a_broken_link_is_refused(text: str) -> None:
    assert raised(SeminarInputInvalid, parse_place, text).reason is SeminarInputError.BAD_LINK
