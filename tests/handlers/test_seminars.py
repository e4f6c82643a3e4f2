"""Seminars through the bot: the /seminar_new wizard, announcements, registration, digests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.localtime import (
    DAY,
)
from bot.handlers.callbacks import SeminarAction, SeminarCb
from bot.services.digests import DigestService
from tests.builders import KUZNETSK, seed_admins, seed_admins_of_both
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import announcements, create_seminar, territory_name
from tests.harness import BotHarness
from tests.users import SUPER

MSK = ZoneInfo("Europe/Moscow")


# --------------------------------------------------------------------------- parsing


# --------------------------------------------------------------------------- the bot


async def test_a_coordinator_announces_a_seminar_to_a_territory(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    kuznetsk, penza = await seed_admins_of_both(bot, kuznetsk=3, penza=2)
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
        assert announcement.button_texts() == ["✅ I will attend", "📅 Add to calendar"]
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
        assert edited.button_texts() == ["✖️ Cancel my registration", "📅 Add to calendar"]

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
    assert "All seats are taken, so you are on the waiting list." in (answer.text or "")

    await bot.click(first, "✖️ Cancel my registration")
    await bot.drain()  # the seat goes to the first in line, who is told
    assert "Registered: 2 of 2" in (fake.messages(third.id)[-1].text or "")

    [header, card] = await bot.send(third, "/seminars")
    assert "Upcoming seminars: 1" in (header.text or "")
    assert "You are registered." in (card.text or "")
    await bot.click(third, "✖️ Cancel my registration", card)
    edited = fake.messages(third.id)[-1]
    assert (edited.text or "").startswith("🎓")  # a card from the list stays a card
    assert "Registered: 1 of 2" in (edited.text or "")


async def test_seminar_refusals(bot: BotHarness, fake: FakeBotAPI, clock: FakeClock) -> None:
    [inside], [outside] = await seed_admins_of_both(bot, kuznetsk=1, penza=1)
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
        assert (next_step.text or "").startswith("Шаг 4 из 8")
        await bot.click(SUPER, "90 мин")
        await bot.click(SUPER, "✅ 2 (по умолчанию)")
        await bot.send(SUPER, "https://example.org/room")
        await bot.send(SUPER, "2")
        [preview] = await bot.click(SUPER, "✅ Готово")
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
    kuznetsk, penza = await seed_admins_of_both(bot, kuznetsk=2, penza=2)
    coordinator = fake.add_user(FakeUser(id=450, first_name="Анна", username="anna"))
    await bot.send(coordinator, "/start")
    await bot.send(SUPER, "/grant @anna Пенза")

    [preview] = await create_seminar(bot, coordinator)  # no territory to choose
    assert "человек: 2" in (preview.text or "")
    await bot.click(coordinator, "📣 Объявить")
    await bot.drain()
    assert all(len(announcements(fake, admin)) == 1 for admin in penza)
    assert all(announcements(fake, admin) == [] for admin in kuznetsk)


async def test_digests_list_the_seminars_a_user_is_invited_to(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [inside], [outside] = await seed_admins_of_both(bot, kuznetsk=1, penza=1)
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
