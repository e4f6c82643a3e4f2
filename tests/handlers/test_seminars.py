"""Seminars: parsing, the /seminar_new wizard, announcements, registration, digests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.localtime import (
    DAY,
    AmbiguousLocalTime,
    ClockChange,
    NonexistentLocalTime,
    to_moment,
)
from bot.domain.seminars import (
    SeminarInputError,
    SeminarInputInvalid,
    parse_capacity,
    parse_duration,
    parse_start,
)
from bot.handlers.callbacks import SeminarAction, SeminarCb
from bot.services.digests import DigestService
from tests.builders import KUZNETSK, PENZA, seed_admins
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.harness import BotHarness
from tests.users import SUPER

MSK = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 9, 21, 12, 0, tzinfo=MSK)  # a Monday noon


# --------------------------------------------------------------------------- parsing


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


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", SeminarInputError.BAD_START),
        ("01.10.2026", SeminarInputError.BAD_START),
        ("31.02.2027 10:00", SeminarInputError.BAD_START),
        ("01.10.2026 25:00", SeminarInputError.BAD_START),
        ("21.09.2026 11:59", SeminarInputError.START_IN_PAST),
        ("01.10.2027 10:00", SeminarInputError.START_TOO_FAR),
    ],
)
def test_bad_starts_are_refused_with_a_reason(text: str, reason: SeminarInputError) -> None:
    with pytest.raises(SeminarInputInvalid) as caught:
        parse_start(text, NOW, MSK)
    assert caught.value.reason is reason


# In Europe/Berlin the clocks go back from 03:00 to 02:00 on 25.10.2026 and forward from
# 02:00 to 03:00 on 28.03.2027 (the last Sundays of October and March).
FORWARD = ClockChange(dt.datetime(2027, 3, 28, 2, 0), dt.datetime(2027, 3, 28, 3, 0))
BACK = ClockChange(dt.datetime(2026, 10, 25, 3, 0), dt.datetime(2026, 10, 25, 2, 0))


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
    with pytest.raises(SeminarInputInvalid) as caught:
        parse_start(text, NOW, BERLIN)
    assert caught.value.reason is reason
    assert caught.value.change == change


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


@pytest.mark.parametrize("text", ["", "0", "-5", "nine", "9 h", "600"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(SeminarInputInvalid):
        parse_duration(text)


def test_capacity_is_a_positive_whole_number() -> None:
    assert parse_capacity(" 25 ") == 25
    for text in ("0", "-1", "2.5", "many", "10001"):
        with pytest.raises(SeminarInputInvalid):
            parse_capacity(text)


# --------------------------------------------------------------------------- the bot


async def create_seminar(
    bot: BotHarness,
    author: FakeUser,
    *,
    title: str = "SMM <basics>",
    start: str = "01.10.2026 10:00",
    capacity: str = "2",
    audience: str | None = "🌐 Вся область",
) -> list[SentMessage]:
    """Walk the wizard as a Russian-speaking coordinator; returns the last answers."""
    await bot.send(author, "/seminar_new")
    await bot.send(author, title)
    await bot.send(author, "Как вести госпаблик & не выгореть")
    await bot.send(author, start)
    await bot.click(author, "90 мин")
    await bot.send(author, "https://example.org/room?a=1&b=2")
    preview = await bot.send(author, capacity)
    if audience is not None:
        preview = await bot.click(author, audience)
    return preview


async def territory_name(bot: BotHarness, territory_id: int, locale: str = "ru") -> str:
    async with bot.db.read() as repos:
        territory = await repos.territories.get(territory_id)
    assert territory is not None
    return territory.name(locale)


def announcements(fake: FakeBotAPI, user: FakeUser) -> list[SentMessage]:
    return [m for m in fake.messages(user.id) if (m.text or "").startswith("📣")]


async def test_a_coordinator_announces_a_seminar_to_a_territory(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    kuznetsk = await seed_admins(bot, 3, KUZNETSK, 1000)
    penza = await seed_admins(bot, 2, PENZA, 2000)
    await bot.send(SUPER, "/start")

    [preview] = await create_seminar(bot, SUPER, audience=await territory_name(bot, KUZNETSK))
    text = preview.text or ""
    assert "SMM <basics>" in text  # escaped on the way, shown as typed
    assert "1 октября 2026, 10:00, 90 мин" in text
    assert "https://example.org/room?a=1&b=2" in text
    assert "Записались: 0 из 2" in text
    assert "человек: 3" in text
    [done] = await bot.click(SUPER, "📣 Объявить")
    assert "приглашено администраторов: 3" in (done.text or "")

    await bot.drain()
    for admin in kuznetsk:
        [announcement] = announcements(fake, admin)
        assert "New seminar" in (announcement.text or "")
        assert announcement.button_texts() == ["✅ I will attend"]
    for admin in penza:
        assert announcements(fake, admin) == []


async def test_registration_respects_seats_and_can_be_cancelled(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    first, second, third = await seed_admins(bot, 3, KUZNETSK, 1000)
    await bot.send(SUPER, "/start")
    await create_seminar(bot, SUPER, capacity="2")
    await bot.click(SUPER, "📣 Объявить")
    await bot.drain()

    for admin in (first, second):
        [announcement] = announcements(fake, admin)
        await bot.click(admin, "✅ I will attend", announcement)
        edited = fake.messages(admin.id)[-1]
        assert (edited.text or "").startswith("📣 New seminar")  # still an announcement
        assert "You are registered." in (edited.text or "")
        assert edited.button_texts() == ["✖️ Cancel my registration"]

    # A second tap on the old button (a slow network, a double tap) changes nothing.
    card = fake.messages(second.id)[-1]
    join = SeminarCb(action=SeminarAction.JOIN, seminar_id=1).pack()
    answer = fake.answer_for(await bot.press(second, card, join))
    assert answer is not None
    assert answer.text == "You are registered. See you there!"  # answered, not crashed

    [late] = announcements(fake, third)
    data = late.find_button("✅ I will attend")
    assert data is not None
    update = await bot.press(third, late, str(data["callback_data"]))
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.show_alert
    assert "all seats of this seminar are taken" in (answer.text or "")

    await bot.click(first, "✖️ Cancel my registration")
    await bot.click(third, "✅ I will attend", late)
    assert "Registered: 2 of 2" in (fake.messages(third.id)[-1].text or "")

    [header, card] = await bot.send(third, "/seminars")
    assert "Upcoming seminars: 1" in (header.text or "")
    assert "You are registered." in (card.text or "")
    await bot.click(third, "✖️ Cancel my registration", card)
    edited = fake.messages(third.id)[-1]
    assert (edited.text or "").startswith("🎓")  # a card from the list stays a card
    assert "Registered: 1 of 2" in (edited.text or "")


async def test_seminar_refusals(bot: BotHarness, fake: FakeBotAPI, clock: FakeClock) -> None:
    [inside] = await seed_admins(bot, 1, KUZNETSK, 1000)
    [outside] = await seed_admins(bot, 1, PENZA, 2000)
    await bot.send(SUPER, "/start")

    [refused] = await bot.send(outside, "/seminar_new")
    assert "role does not allow" in (refused.text or "")

    await bot.send(SUPER, "/seminar_new")
    [too_long] = await bot.send(SUPER, "x" * 151)
    assert "от 1 до 150" in (too_long.text or "")
    await bot.send(SUPER, "Title")
    await bot.click(SUPER, "Пропустить")
    [past] = await bot.send(SUPER, "01.09.2026 10:00")
    assert "уже прошло" in (past.text or "")
    await bot.send(SUPER, "/cancel")

    await create_seminar(bot, SUPER, audience=await territory_name(bot, KUZNETSK))
    await bot.click(SUPER, "📣 Объявить")
    await bot.drain()
    [announcement] = announcements(fake, inside)
    data = announcement.find_button("✅ I will attend")
    assert data is not None

    # A forged button for a seminar the user is not invited to: refused on the server.
    [message] = await bot.send(outside, "/seminars")
    assert "No upcoming seminars" in (message.text or "")
    update = await bot.press(outside, message, str(data["callback_data"]))
    answer = fake.answer_for(update)
    assert answer is not None
    assert "no such seminar" in (answer.text or "")
    forged = SeminarCb(action=SeminarAction.JOIN, seminar_id=999).pack()
    answer = fake.answer_for(await bot.press(inside, announcement, forged))
    assert answer is not None
    assert "no such seminar" in (answer.text or "")

    # Once it started, registrations are closed.
    clock.advance(11 * DAY)
    answer = fake.answer_for(await bot.press(inside, announcement, str(data["callback_data"])))
    assert answer is not None
    assert "already started" in (answer.text or "")


async def test_the_wizard_refuses_a_start_the_clocks_skip_or_repeat(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    """A deployment in a zone with daylight saving: the start is never shifted silently."""
    bot = await BotHarness.start(
        fake, tmp_path, clock, superadmin_ids=str(SUPER.id), timezone="Europe/Berlin"
    )
    try:
        await bot.send(SUPER, "/start")
        await bot.send(SUPER, "/seminar_new")
        await bot.send(SUPER, "Title")
        await bot.click(SUPER, "Пропустить")
        [gap] = await bot.send(SUPER, "28.03.2027 02:30")
        assert gap.text == (
            "В часовом поясе Europe/Berlin нет такого времени: в ту ночь часы переводятся "
            "вперёд с 02:00 на 03:00. Отправьте время до 02:00 или начиная с 03:00."
        )
        [twice] = await bot.send(SUPER, "25.10.2026 02:30")
        assert twice.text == (
            "В часовом поясе Europe/Berlin это время наступает дважды: в ту ночь часы "
            "переводятся назад с 03:00 на 02:00. Отправьте время до 02:00 или начиная с 03:00."
        )
        [next_step] = await bot.send(SUPER, "28.03.2027 03:30")
        assert (next_step.text or "").startswith("Шаг 4 из 7")
        await bot.click(SUPER, "90 мин")
        await bot.send(SUPER, "https://example.org/room")
        await bot.send(SUPER, "2")
        [preview] = await bot.click(SUPER, "🌐 Вся область")
        assert "28 марта 2027, 03:30, 90 мин" in (preview.text or "")
        await bot.click(SUPER, "📣 Объявить")
        async with bot.db.read() as repos:
            seminar = await repos.seminars.get(1)
        assert seminar is not None
        assert seminar.starts_at == int(dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC).timestamp())
    finally:
        await bot.stop()


async def test_a_scoped_coordinator_invites_their_territory_only(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    penza = await seed_admins(bot, 2, PENZA, 2000)
    kuznetsk = await seed_admins(bot, 2, KUZNETSK, 1000)
    coordinator = fake.add_user(FakeUser(id=450, first_name="Анна", username="anna"))
    await bot.send(coordinator, "/start")
    await bot.send(SUPER, "/grant @anna Пенза")

    [preview] = await create_seminar(bot, coordinator, audience=None)  # no audience step
    assert "человек: 2" in (preview.text or "")
    await bot.click(coordinator, "📣 Объявить")
    await bot.drain()
    assert all(len(announcements(fake, admin)) == 1 for admin in penza)
    assert all(announcements(fake, admin) == [] for admin in kuznetsk)


async def test_digests_list_the_seminars_a_user_is_invited_to(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [inside] = await seed_admins(bot, 1, KUZNETSK, 1000)
    [outside] = await seed_admins(bot, 1, PENZA, 2000)
    await bot.send(SUPER, "/start")
    await create_seminar(bot, SUPER, audience=await territory_name(bot, KUZNETSK))
    await bot.click(SUPER, "📣 Объявить")
    await create_seminar(bot, SUPER, title="Far away", start="01.12.2026 10:00")
    await bot.click(SUPER, "📣 Объявить")
    await bot.drain()
    [announcement] = [m for m in announcements(fake, inside) if "SMM" in (m.text or "")]
    await bot.click(inside, "✅ I will attend", announcement)

    digests: DigestService = bot.app.dispatcher["digests"]
    [text] = await digests.compose(inside.id)
    assert "Upcoming seminars" in text
    assert "SMM &lt;basics&gt;" in text  # HTML: the title is escaped
    assert "(registered: 1 of 2) ✅ you are registered" in text
    assert "Far away" not in text  # beyond the fortnight
    [other] = await digests.compose(outside.id)
    assert "seminar" not in other.lower()
    coordinator = "\n".join(await digests.compose(SUPER.id))
    assert "Ближайшие семинары" in coordinator
    assert "(записались: 1 из 2)" in coordinator
