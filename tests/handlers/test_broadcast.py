"""/broadcast through the real Dispatcher, the outbox and the fake Bot API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.domain.segments import Dimension, Segment
from bot.handlers.callbacks import SegmentToggleCb, SilenceCb
from bot.storage.outbox import OutboxKind, OutboxStatus
from tests.builders import KUZNETSK, seed_admins, seed_admins_of_both, user_row
from tests.clock import START, FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser, SentMessage
from tests.flows import compose, send_draft, translator, walk_text
from tests.harness import BotHarness
from tests.users import ADMIN_EN, OTHER, SUPER


def copies(fake: FakeBotAPI, user: FakeUser) -> list[SentMessage]:
    return [m for m in fake.messages(user.id) if m.method.lower() == "copymessage"]


def album_copies(fake: FakeBotAPI, user: FakeUser) -> list[SentMessage]:
    return [m for m in fake.messages(user.id) if m.method.lower() == "copymessages"]


async def send_album(
    bot: BotHarness,
    author: FakeUser,
    kinds: Sequence[str],
    *,
    caption: str | None = None,
    together: bool = False,
) -> list[SentMessage]:
    """The author sends an album; returns what the bot sent them meanwhile. `together`:
    its items arrive at once, as polling hands them over, rather than one by one."""
    updates = bot.fake.album_updates(author, kinds, caption=caption)
    before = len(bot.fake.sent)
    if together:
        await asyncio.gather(*(bot.feed(update) for update in updates))
    else:
        for update in updates:
            await bot.feed(update)
    return [m for m in bot.fake.sent[before:] if m.chat_id == author.id]


async def in_english(bot: BotHarness, user: FakeUser) -> None:
    await bot.send(user, "/start")
    await bot.send(user, "/settings")
    await bot.click(user, "English")


async def test_a_broadcast_reaches_its_segment_exactly_once(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    kuznetsk, penza = await seed_admins_of_both(bot, kuznetsk=5, penza=3)
    await in_english(bot, SUPER)

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
    await send_draft(bot, SUPER)
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
    kuznetsk, penza = await seed_admins_of_both(bot, kuznetsk=3, penza=2)
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr Пенза")

    await compose(bot, OTHER, "Только для Пензы")
    assert "Получателей: 2" in (fake.last_message(OTHER.id).text or "")
    # A forged button for another territory narrows to nobody instead of widening.
    summary = fake.last_message(OTHER.id)
    forged = SegmentToggleCb(dimension=Dimension.TERRITORY, value=str(KUZNETSK)).pack()
    await bot.press(OTHER, summary, forged)
    await bot.click(OTHER, "⬅️ Готово")
    assert "Получателей: 0" in (fake.last_message(OTHER.id).text or "")
    await send_draft(bot, OTHER)
    for user in kuznetsk + penza:
        assert copies(fake, user) == []

    # Without the forged choice: Penza only, whatever the segment said.
    await compose(bot, OTHER, "Только для Пензы")
    await send_draft(bot, OTHER)
    assert all(len(copies(fake, user)) == 1 for user in penza)
    assert all(copies(fake, user) == [] for user in kuznetsk)


async def test_a_forged_segment_value_is_an_unknown_choice(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await seed_admins(bot, 2, KUZNETSK, 1000)
    await compose(bot, SUPER, "Проверка")
    summary = fake.last_message(SUPER.id)
    unknown = translator(bot, "ru")("Unknown choice.")
    for forged in (
        SegmentToggleCb(dimension=Dimension.LEVEL, value="galactic"),
        SegmentToggleCb(dimension=Dimension.PLATFORM, value="federal"),
        SegmentToggleCb(dimension=Dimension.TERRITORY, value="9999"),
        SegmentToggleCb(dimension=Dimension.TERRITORY, value="x"),
        SilenceCb(days=3),
    ):
        update = await bot.press(SUPER, summary, forged.pack())
        answer = fake.answer_for(update)
        assert answer is not None, forged
        assert answer.show_alert
        assert answer.text == unknown
    # The segment is untouched: everybody.
    replies = await bot.click(SUPER, "👁 Предпросмотр")
    goes_to = bot.app.i18n.gettext(
        "This is how it will look. It goes to {count} administrator ({segment}). Send?",
        "This is how it will look. It goes to {count} administrators ({segment}). Send?",
        2,
        locale="ru",
    )
    everybody = translator(bot, "ru")("all administrators")
    assert replies[-1].text == goes_to.format(count=2, segment=everybody)


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
        assert counts[OutboxStatus.SENT] == len(delivered)
        assert counts[OutboxStatus.CANCELLED] == len(recipients) - len(delivered)
    finally:
        await bot.stop()


async def test_blocking_and_unblocking_the_bot_is_tracked(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await bot.feed(fake.my_chat_member_update(admin, "member", "kicked"))
    user = await user_row(bot.db, admin.id)
    assert not user.reachable
    await compose(bot, SUPER, "Никому")
    assert "Получателей: 0" in (fake.last_message(SUPER.id).text or "")

    await bot.feed(fake.my_chat_member_update(admin, "kicked", "member"))
    user = await user_row(bot.db, admin.id)
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


# ---------------------------------------------------------------------- albums


async def test_an_album_reaches_each_administrator_as_one_album(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    kuznetsk, penza = await seed_admins_of_both(bot, kuznetsk=3, penza=2)
    await in_english(bot, SUPER)
    await bot.send(SUPER, "/broadcast")

    [summary] = await send_album(bot, SUPER, ("photo",) * 3, caption="Poster")

    # One summary, kept up to date by the later items; none of them is "not understood".
    assert (summary.text or "").startswith("Album: 3 items\nWho receives it")
    assert "Recipients: 5" in (summary.text or "")
    assert not any("did not understand" in (m.text or "") for m in fake.messages(SUPER.id))
    await bot.click(SUPER, "🗺 Territory")
    await bot.click(SUPER, "Kuznetsk (city)")
    await bot.click(SUPER, "⬅️ Done")
    assert (fake.last_message(SUPER.id).text or "").startswith("Album: 3 items\n")

    replies = await bot.click(SUPER, "👁 Preview")
    *shown, question = replies
    assert [m.method for m in shown] == ["copyMessages"] * 3
    assert [m.media_kind for m in shown] == ["photo"] * 3
    assert [m.caption for m in shown] == ["Poster", None, None]
    assert len({m.media_group_id for m in shown}) == 1
    assert (question.text or "").startswith("Album: 3 items\nThis is how it will look")
    assert "It goes to 3 administrators" in (question.text or "")

    await bot.click(SUPER, "📨 Send")
    await bot.drain()
    async with bot.db.read() as repos:
        row = await repos.outbox.get(1)
    assert row is not None
    assert row.kind is OutboxKind.ALBUM
    for user in kuznetsk:
        album = album_copies(fake, user)
        assert [m.media_kind for m in album] == ["photo"] * 3
        assert [m.caption for m in album] == ["Poster", None, None]
        assert len({m.media_group_id for m in album}) == 1
        assert [c.ok for c in fake.calls("copyMessages") if c.params["chat_id"] == user.id] == [
            True
        ]
    for user in penza:
        assert fake.messages(user.id) == []
    await bot.app.dispatcher["progress"].report_once()
    assert "Delivered: 3 of 3" in (fake.messages(SUPER.id)[-1].text or "")
    assert fake.flood_refusals == []


async def test_ten_items_arriving_at_once_make_one_album(bot: BotHarness, fake: FakeBotAPI) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    await bot.send(SUPER, "/broadcast")

    answers = await send_album(bot, SUPER, ("photo", "video") * 5, together=True)

    # Polling hands the items over together: none is taken for a flood or not understood.
    [summary] = answers
    assert (fake.messages(SUPER.id)[-1].text or "").startswith("Альбом: 10 элементов\n")
    assert summary.message_id == fake.messages(SUPER.id)[-1].message_id
    await send_draft(bot, SUPER)
    assert [m.media_kind for m in album_copies(fake, admin)] == ["photo", "video"] * 5
    assert fake.flood_refusals == []


@pytest.mark.parametrize(
    ("english", "kinds", "reason"),
    [
        (False, ("photo",) * 11, "в нём 11 элементов, а альбом вмещает не больше 10."),
        (True, ("photo",) * 11, "it has 11 items, and an album holds at most 10."),
        (False, ("photo", "document", "photo"), "Telegram объединяет документы только с"),
        (True, ("photo", "document", "photo"), "Telegram groups documents only with documents"),
    ],
)
async def test_an_album_telegram_cannot_copy_is_refused_before_sending(
    bot: BotHarness, fake: FakeBotAPI, english: bool, kinds: tuple[str, ...], reason: str
) -> None:
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    if english:
        await in_english(bot, SUPER)
    await bot.send(SUPER, "/broadcast")

    summary, refusal = await send_album(bot, SUPER, kinds)

    heading = "This album cannot be broadcast: " if english else "Этот альбом нельзя разослать: "
    assert (refusal.text or "").startswith(heading + reason)
    assert refusal.button_texts() == ["Cancel" if english else "Отмена"]
    assert summary.button_texts() == []  # the draft's buttons are gone
    assert fake.calls("copyMessages") == []
    assert fake.messages(admin.id) == []
    # Back at the message step: a new message starts a new draft.
    [fresh] = await bot.send(SUPER, "Plain text instead")
    assert ("Recipients: 1" if english else "Получателей: 1") in (fresh.text or "")
    await send_draft(bot, SUPER, "en" if english else "ru")
    assert [m.text for m in copies(fake, admin)] == ["Plain text instead"]


async def test_more_than_ten_items_sent_as_two_albums_are_refused(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    """Telegram's clients send 12 photos as an album of 10 and one of 2."""
    await in_english(bot, SUPER)
    await bot.send(SUPER, "/broadcast")
    first = fake.album_updates(SUPER, ("photo",) * 10)
    second = fake.album_updates(SUPER, ("photo",) * 2)
    before = len(fake.sent)
    for update in [*first[:9], second[0], first[9], second[1]]:
        await bot.feed(update)

    summary, refusal = [m for m in fake.sent[before:] if m.chat_id == SUPER.id]
    assert (refusal.text or "").startswith(
        "This album cannot be broadcast: one broadcast carries one message or one album of "
        "at most 10 items"
    )
    assert summary.button_texts() == []
    assert fake.calls("copyMessages") == []


@pytest.mark.serial
async def test_an_album_broadcast_at_the_limit_provokes_no_429(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    """An album is several messages in one request: a late one must not push Telegram's
    second over the limit."""
    await seed_admins(bot, 80, KUZNETSK, 1000)
    await in_english(bot, SUPER)
    await bot.send(SUPER, "/broadcast")
    await send_album(bot, SUPER, ("photo",) * 4, together=True)
    await bot.click(SUPER, "👁 Preview")
    await bot.click(SUPER, "📨 Send")
    await bot.drain(timeout=60)
    assert len([c for c in fake.calls("copyMessages") if c.ok]) >= 80
    assert fake.flood_refusals == []
