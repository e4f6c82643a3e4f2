"""A seminar card's "Add to calendar" through the bot: the .ics document, for whom the
seminar is for only."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from bot.domain.localtime import DAY
from bot.handlers.callbacks import SeminarAction, SeminarCb
from tests.builders import KUZNETSK, add_seminar, add_user, seed_admins
from tests.clock import START
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import alert
from tests.harness import BotHarness
from tests.users import OTHER, SUPER

MOSCOW_TEN = dt.datetime(2026, 10, 1, 7, 0, tzinfo=dt.UTC)  # 10:00 in Moscow


def calendar_button(seminar_id: int) -> str:
    """The card's "Add to calendar" button's data."""
    return SeminarCb(action=SeminarAction.CALENDAR, seminar_id=seminar_id).pack()


async def calendar_file(
    bot: BotHarness, user: FakeUser, card: SentMessage, seminar_id: int
) -> tuple[SentMessage, Calendar]:
    """The user taps "Add to calendar" under `card`: the document sent, parsed."""
    before = len(bot.fake.messages(user.id))
    update = await bot.press(user, card, calendar_button(seminar_id))
    assert bot.fake.answer_for(update) is not None  # the tap does not keep spinning
    [document] = bot.fake.messages(user.id)[before:]
    uploaded = document.uploaded
    assert uploaded is not None
    assert uploaded.filename == f"seminar-{seminar_id}.ics"
    return document, Calendar.from_ical(uploaded.data)


async def test_the_calendar_button_sends_the_seminar_as_an_ics_file(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    async with bot.db.write() as repos:
        await add_user(repos, SUPER)
        held = await add_seminar(
            repos,
            created_by=SUPER.id,
            starts_at=int(MOSCOW_TEN.timestamp()),
            title="SMM <basics>",
            place="Пенза, ул. Мира 1",
            revision=4,
        )
        cancelled = await add_seminar(
            repos, created_by=SUPER.id, starts_at=START + 10 * DAY, cancelled_at=START
        )
    [_count, card, *_] = await bot.send(admin, "/seminars")

    document, calendar = await calendar_file(bot, admin, card, held)
    assert document.media_kind == "document"
    assert (document.caption or "").startswith("📅 SMM <basics>: open the file")
    [event] = calendar.events
    bot_id = fake.token.partition(":")[0]
    assert str(event["UID"]) == f"seminar-{held}-bot{bot_id}@t.me"
    assert str(event["SUMMARY"]) == "SMM <basics>"
    assert str(event["LOCATION"]) == "Пенза, ул. Мира 1"
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"  # the region's zone
    assert event.start == MOSCOW_TEN
    assert (event.sequence, str(event["STATUS"])) == (4, "CONFIRMED")
    [zone] = calendar.timezones
    assert zone.tz_name == "Europe/Moscow"

    document, calendar = await calendar_file(bot, admin, card, cancelled)
    assert "was cancelled" in (document.caption or "")
    assert str(calendar.events[0]["STATUS"]) == "CANCELLED"

    # Not for someone outside the seminar's audience, nor for a seminar that is not there.
    fake.add_user(OTHER)
    [greeting, *_] = await bot.send(OTHER, "/start")
    refused = await alert(bot, OTHER, greeting, calendar_button(held))
    assert refused == "Такого семинара для вас нет. Смотрите /seminars."
    assert "no such seminar" in await alert(bot, admin, card, calendar_button(999))
    assert not any(m.media_kind for m in fake.messages(OTHER.id))
