"""/broadcast through the real Dispatcher, the outbox and the fake Bot API."""

from __future__ import annotations

import re
from pathlib import Path

from bot.domain.catalog import PageStatus
from bot.domain.segments import Segment
from tests.conftest import START, FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.harness import BotHarness
from tests.test_core_loop import ADMIN_EN, OTHER, SUPER
from tests.test_lists import walk_text

# Territory ids follow the order of the territories file: 2 is Penza, 4 is Kuznetsk.
PENZA, KUZNETSK = 2, 4


async def seed_admins(bot: BotHarness, count: int, territory: int, first_id: int) -> list[FakeUser]:
    """`count` administrators, each of one approved page in `territory`."""
    users = [
        bot.fake.add_user(FakeUser(id=first_id + n, first_name=f"Admin {n}", language_code="en"))
        for n in range(count)
    ]
    async with bot.db.write() as repos:
        for user in users:
            await repos.users.touch(
                user.id, username=None, full_name=user.first_name, language_code="en", now=START
            )
            page = await repos.pages.create(
                link_key=f"vk.com/page{user.id}",
                url=f"https://vk.com/page{user.id}",
                platform="vk",
                title=f"Page {user.id}",
                territory_id=territory,
                level="municipal",
                theme="culture",
                created_by=user.id,
                now=START,
            )
            await repos.pages.decide(
                page, status=PageStatus.APPROVED, reason=None, decided_by=user.id, now=START
            )
    return users


def copies(fake: FakeBotAPI, user: FakeUser) -> list[SentMessage]:
    return [m for m in fake.messages(user.id) if m.method.lower() == "copymessage"]


async def compose(bot: BotHarness, author: FakeUser, text: str) -> None:
    await bot.send(author, "/broadcast")
    await bot.send(author, text)


async def test_a_broadcast_reaches_its_segment_exactly_once(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    kuznetsk = await seed_admins(bot, 5, KUZNETSK, 1000)
    penza = await seed_admins(bot, 3, PENZA, 2000)
    await bot.send(SUPER, "/start")
    await bot.send(SUPER, "/settings")
    await bot.click(SUPER, "English")

    await compose(bot, SUPER, "Seminar on <December 5> & more")
    summary = fake.last_message(SUPER.id)
    assert "Recipients: 8" in (summary.text or "")
    await bot.click(SUPER, "🗺 Territory")
    await bot.click(SUPER, "Kuznetsk (city)")
    assert "✅ Kuznetsk (city)" in fake.last_message(SUPER.id).button_texts()
    await bot.click(SUPER, "⬅️ Done")
    assert "Recipients: 5" in (fake.last_message(SUPER.id).text or "")

    replies = await bot.click(SUPER, "👁 Preview")
    assert replies[0].method.lower() == "copymessage"
    assert replies[0].text == "Seminar on <December 5> & more"
    assert "It goes to 5 administrators" in (replies[-1].text or "")

    [progress] = await bot.click(SUPER, "📨 Send")
    assert "is being sent" in (progress.text or "")
    await bot.drain()
    for user in kuznetsk:
        assert [m.text for m in copies(fake, user)] == ["Seminar on <December 5> & more"]
    for user in penza:
        assert copies(fake, user) == []

    reporter = bot.app.dispatcher["progress"]
    await reporter.report_once()
    final = fake.messages(SUPER.id)[-1]
    assert final.message_id == progress.message_id
    assert "is finished" in (final.text or "")
    assert "Delivered: 5 of 5" in (final.text or "")

    [listing] = await bot.send(SUPER, "/broadcasts")
    assert "Delivered 5 of 5" in (listing.text or "")
    assert "Kuznetsk (city)" in (listing.text or "")


async def test_media_is_copied_with_its_caption(bot: BotHarness, fake: FakeBotAPI) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await bot.send(SUPER, "/broadcast")
    await bot.feed(fake.photo_update(SUPER, caption="Афиша"))
    await bot.click(SUPER, "👁 Предпросмотр")
    await bot.click(SUPER, "📨 Отправить")
    await bot.drain()
    [copy] = copies(fake, admin)
    assert copy.media_kind == "photo"
    assert copy.caption == "Афиша"


async def test_a_page_admin_cannot_broadcast(bot: BotHarness) -> None:
    [answer] = await bot.send(ADMIN_EN, "/broadcast")
    assert answer.text == "Sorry, your role does not allow this."
    [listing] = await bot.send(ADMIN_EN, "/broadcasts")
    assert listing.text == "Sorry, your role does not allow this."


async def test_a_scoped_coordinator_reaches_only_their_territory(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    kuznetsk = await seed_admins(bot, 3, KUZNETSK, 1000)
    penza = await seed_admins(bot, 2, PENZA, 2000)
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr Пенза")

    await compose(bot, OTHER, "Только для Пензы")
    assert "Получателей: 2" in (fake.last_message(OTHER.id).text or "")
    # A forged button for another territory narrows to nobody instead of widening.
    summary = fake.last_message(OTHER.id)
    forged = f"b:t:territory:{KUZNETSK}"
    await bot.press(OTHER, summary, forged)
    await bot.click(OTHER, "⬅️ Готово")
    assert "Получателей: 0" in (fake.last_message(OTHER.id).text or "")
    await bot.click(OTHER, "👁 Предпросмотр")
    await bot.click(OTHER, "📨 Отправить")
    await bot.drain()
    for user in kuznetsk + penza:
        assert copies(fake, user) == []

    # Without the forged choice: Penza only, whatever the segment said.
    await compose(bot, OTHER, "Только для Пензы")
    await bot.click(OTHER, "👁 Предпросмотр")
    await bot.click(OTHER, "📨 Отправить")
    await bot.drain()
    assert all(len(copies(fake, user)) == 1 for user in penza)
    assert all(copies(fake, user) == [] for user in kuznetsk)


async def test_stopping_a_broadcast_sends_nothing_more(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    bot = await BotHarness.start(
        fake, tmp_path, clock, superadmin_ids="100", delivery_rate_per_second=4
    )
    try:
        recipients = await seed_admins(bot, 20, KUZNETSK, 1000)
        await compose(bot, SUPER, "Опрос")
        await bot.click(SUPER, "👁 Предпросмотр")
        await bot.click(SUPER, "📨 Отправить")
        await bot.click(SUPER, "⏹ Остановить рассылку")
        assert "остановлена" in (fake.last_message(SUPER.id).text or "")
        await bot.drain()
        delivered = [user for user in recipients if copies(fake, user)]
        assert all(len(copies(fake, user)) == 1 for user in delivered)
        assert len(delivered) < len(recipients)
        async with bot.db.read() as repos:
            counts = await repos.outbox.counts_for_broadcast(1)
        assert counts["sent"] == len(delivered)
        assert counts["cancelled"] == len(recipients) - len(delivered)
    finally:
        await bot.stop()


async def test_blocking_and_unblocking_the_bot_is_tracked(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await bot.feed(fake.my_chat_member_update(admin, "member", "kicked"))
    async with bot.db.read() as repos:
        user = await repos.users.get(admin.id)
    assert user is not None
    assert not user.reachable
    await compose(bot, SUPER, "Никому")
    assert "Получателей: 0" in (fake.last_message(SUPER.id).text or "")

    await bot.feed(fake.my_chat_member_update(admin, "kicked", "member"))
    async with bot.db.read() as repos:
        user = await repos.users.get(admin.id)
    assert user is not None
    assert user.reachable


async def test_broadcasts_to_many_districts_page_and_lose_none(bot: BotHarness) -> None:
    await bot.send(SUPER, "/start")
    everywhere = Segment(territories=frozenset(range(1, 32))).to_json()
    async with bot.db.write() as repos:
        for _ in range(40):
            await repos.broadcasts.create(
                author_id=SUPER.id,
                source_chat_id=SUPER.id,
                source_message_id=1,
                segment=everywhere,
                territory_scope=None,
                recipients=0,
                now=START,
            )
    for heading, language in (("40 рассылок", None), ("40 broadcasts", "English")):
        if language is not None:
            await bot.send(SUPER, "/settings")
            await bot.click(SUPER, language)
        [listing] = await bot.send(SUPER, "/broadcasts")
        texts = await walk_text(bot, SUPER, listing)
        assert len(texts) > 2
        assert all(text.startswith(heading) for text in texts)
        found = [int(n) for text in texts for n in re.findall(r"^(?:#|№)(\d+),", text, re.M)]
        assert found == list(range(40, 0, -1))
