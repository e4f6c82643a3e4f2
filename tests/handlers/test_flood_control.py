"""Flood control of every request, through the fake Bot API with Telegram's limits on:
429s waited out on every kind of request, one budget for answers and broadcasts, a user
who floods, group chats, stale taps and callback queries answered exactly once."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.storage.outbox import OutboxStatus
from tests.builders import KUZNETSK, seed_admins
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeGroup, FakeUser, SentMessage
from tests.flows import approve_all, compose, register_page, stored_page, translator
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, SUPER

GROUP = FakeGroup(id=-100500, title="Администраторы госпабликов")


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing worse than a warning, and no traceback at all."""
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


@pytest.fixture
async def reader(bot: BotHarness) -> FakeUser:
    """An English-speaking administrator of one approved page in Kuznetsk."""
    [admin] = await seed_admins(bot, 1, KUZNETSK, 1000)
    return admin


def outcomes(fake: FakeBotAPI, method: str) -> list[int | None]:
    return [c.error_code for c in fake.calls(method)]


# ---------------------------------------------------------------------- 429 on every request


async def test_an_answer_waits_out_a_429_and_arrives(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.send(SUPER, "/start")
    fake.inject("sendMessage", error_code=429, retry_after=1)
    [reply] = await bot.send(SUPER, "/total")
    assert "Пензенская область" in (reply.text or "")
    assert outcomes(fake, "sendMessage")[-2:] == [429, None]
    assert fake.flood_refusals == []
    no_errors_logged(caplog)


async def test_edits_callback_answers_and_commands_wait_out_a_429(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake.inject("setMyCommands", error_code=429, retry_after=1)
    await bot.send(ADMIN_EN, "/start")
    assert outcomes(fake, "setMyCommands")[-2:] == [429, None]

    territories = await open_territories(bot, ADMIN_EN)
    fake.inject("editMessageReplyMarkup", error_code=429, retry_after=1)
    fake.inject("answerCallbackQuery", error_code=429, retry_after=1)
    update = await bot.press(ADMIN_EN, territories, _data(bot, ADMIN_EN, "▶️"))
    assert outcomes(fake, "editMessageReplyMarkup")[-2:] == [429, None]
    assert outcomes(fake, "answerCallbackQuery")[-2:] == [429, None]
    assert fake.answer_for(update) is not None
    assert "2/4" in fake.last_message(ADMIN_EN.id).button_texts()
    no_errors_logged(caplog)


async def open_territories(bot: BotHarness, user: FakeUser) -> SentMessage:
    """/register up to the territory list (its first screen, with ▶️)."""
    await bot.send(user, "/register")
    await bot.send(user, "https://vk.com/club777")
    await bot.send(user, "Библиотека")
    return bot.with_button(user, "▶️")


async def test_a_broadcast_preview_copy_waits_out_a_429(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    await seed_admins(bot, 2, KUZNETSK, 1000)
    await bot.send(SUPER, "/start")
    await compose(bot, SUPER, "Семинар в пятницу")
    fake.inject("copyMessage", error_code=429, retry_after=1)
    replies = await bot.click(SUPER, translator(bot, "ru")("👁 Preview"))
    assert replies[0].text == "Семинар в пятницу"
    assert outcomes(fake, "copyMessage")[-2:] == [429, None]
    no_errors_logged(caplog)


async def test_a_chart_photo_waits_out_a_429(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture, reader: FakeUser
) -> None:
    await bot.send(reader, "/total")
    fake.inject("sendPhoto", error_code=429, retry_after=1)
    [chart] = await bot.click(reader, translator(bot, "en")("📈 Chart"))
    assert chart.media_kind == "photo"
    assert outcomes(fake, "sendPhoto")[-2:] == [429, None]
    no_errors_logged(caplog)


async def test_an_answer_refused_too_long_is_given_up_with_one_line(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await BotHarness.start(fake, tmp_path, clock, flood_max_wait_seconds=1)
    try:
        [reader] = await seed_admins(harness, 1, KUZNETSK, 1000)
        await harness.send(reader, "/start")
        fake.inject("sendMessage", error_code=429, retry_after=1, times=5)
        caplog.clear()
        assert await harness.send(reader, "/total") == []
    finally:
        await harness.stop()
    gave_up = [r for r in caplog.records if "gave up" in r.getMessage()]
    assert len(gave_up) == 1
    assert gave_up[0].levelno == logging.WARNING
    no_errors_logged(caplog)


async def test_server_errors_and_dropped_connections_are_retried(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture, reader: FakeUser
) -> None:
    await bot.send(reader, "/start")
    fake.inject("sendMessage", error_code=502)
    assert "Subscriptions to official pages" in await bot.reply_text(reader, "/total")
    assert outcomes(fake, "sendMessage")[-2:] == [502, None]

    territories = await open_territories(bot, ADMIN)
    fake.drop_next("editMessageReplyMarkup")
    await bot.press(ADMIN, territories, _data(bot, ADMIN, "▶️"))
    edits = fake.calls("editMessageReplyMarkup")
    assert [c.dropped for c in edits[-2:]] == [True, False]
    assert edits[-1].ok
    no_errors_logged(caplog)


def _data(bot: BotHarness, user: FakeUser, button: str) -> str:
    found = bot.with_button(user, button).find_button(button)
    assert found is not None
    return str(found["callback_data"])


# ---------------------------------------------------------------------- a fast user


async def test_a_fast_user_gets_every_reply_of_register_report_and_broadcast(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    """Each prompt is answered the moment it arrives, under Telegram's real limits."""
    done = await register_page(bot, ADMIN)
    assert "отправлена" in done.lower() or "коорд" in done.lower(), done
    await bot.send(SUPER, "/start")
    await approve_all(bot)
    await bot.send(ADMIN, "/report")
    await bot.send(ADMIN, "15400")
    async with bot.db.read() as repos:
        page = await repos.pages.by_link_key("vk.com/club123")
    assert page is not None
    assert page.current_figure == 15400

    t = translator(bot, "ru")
    await compose(bot, SUPER, "Всем привет")
    replies = await bot.click(SUPER, t("👁 Preview"))
    assert replies[0].text == "Всем привет"
    [progress] = await bot.click(SUPER, t("📨 Send"))
    assert (progress.text or "").startswith("Рассылка №1")
    await bot.drain()
    assert [m.text for m in fake.messages(ADMIN.id)][-1] == "Всем привет"
    assert fake.flood_refusals == []
    no_errors_logged(caplog)


# ---------------------------------------------------------------------- one budget


@pytest.mark.serial
async def test_answers_are_served_within_a_second_while_a_broadcast_runs(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    fake.latency = 0.05
    [reader, *_] = await seed_admins(bot, 150, KUZNETSK, 10_000)
    await bot.send(SUPER, "/start")
    await bot.send(reader, "/start")
    t = translator(bot, "ru")
    await compose(bot, SUPER, "Большая рассылка")
    await bot.click(SUPER, t("👁 Preview"))
    await bot.click(SUPER, t("📨 Send"))

    loop = asyncio.get_running_loop()
    waits = []
    for _ in range(3):
        started = loop.time()
        [reply] = await bot.send(reader, "/total")
        waits.append(loop.time() - started)
        assert "Subscriptions to official pages" in (reply.text or "")
        await asyncio.sleep(1.0)  # a person reads the answer
    async with bot.db.read() as repos:
        left = await repos.outbox.status_counts()
    assert left[OutboxStatus.PENDING] + left[OutboxStatus.SENDING] > 0, "the broadcast ended"
    assert max(waits) < 1.0, waits
    await bot.drain(timeout=30)
    assert fake.flood_refusals == []


# ---------------------------------------------------------------------- one person flooding


@pytest.mark.serial
async def test_a_flooding_user_gets_one_note_and_others_are_served(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.send(ADMIN, "/start")
    await bot.send(SUPER, "/start")
    flood = [fake.message_update(ADMIN, f"сообщение {n}") for n in range(50)]
    flooding = asyncio.gather(*(bot.feed(update) for update in flood))
    await asyncio.sleep(0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    [reply] = await bot.send(SUPER, "/total")
    assert loop.time() - started < 1.0
    assert "Пензенская область" in (reply.text or "")
    await flooding

    answers = [m.text or "" for m in fake.messages(ADMIN.id)][2:]
    note = translator(bot, "ru")(
        "You are writing faster than I can answer: I skipped your latest messages. "
        "Wait for my answer, then send again what still needs one."
    )
    assert answers.count(note) == 1
    assert len(answers) <= bot.app.settings.flood_backlog + 1
    assert fake.flood_refusals == []
    no_errors_logged(caplog)


# ---------------------------------------------------------------------- group chats


@pytest.mark.parametrize(
    "text",
    ["/start@other_bot", "/weather", "привет всем", "/report@other_bot 12 500"],
)
async def test_the_bot_is_silent_in_groups_for_what_is_not_its_command(
    bot: BotHarness, fake: FakeBotAPI, text: str
) -> None:
    fake.add_group(GROUP)
    await bot.feed(fake.group_message_update(GROUP, ADMIN, text))
    assert fake.messages(GROUP.id) == []
    assert fake.messages(ADMIN.id) == []


async def test_a_burst_of_chatter_in_a_group_gets_no_slow_down_note(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    fake.add_group(GROUP)
    burst = [fake.group_message_update(GROUP, ADMIN, f"реплика {n}") for n in range(12)]
    await asyncio.gather(*(bot.feed(update) for update in burst))
    commands = [fake.group_message_update(GROUP, ADMIN, "/mypages") for _ in range(8)]
    await asyncio.gather(*(bot.feed(update) for update in commands))
    texts = [m.text for m in fake.messages(GROUP.id)]
    pointer = translator(bot, "ru")("I work in a private chat: open it with the button below.")
    assert texts == [pointer]
    assert fake.messages(ADMIN.id) == []


async def test_a_429_on_a_callback_answer_is_waited_out_before_the_retry(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    territories = await open_territories(bot, ADMIN)
    fake.inject("answerCallbackQuery", error_code=429, retry_after=1, times=2)
    update = await bot.press(ADMIN, territories, _data(bot, ADMIN, "▶️"))
    calls = fake.calls("answerCallbackQuery")[-3:]
    assert [c.error_code for c in calls] == [429, 429, None]
    assert calls[1].at - calls[0].at >= 0.9
    assert calls[2].at - calls[1].at >= 0.9
    assert fake.answer_for(update) is not None
    no_errors_logged(caplog)


async def test_service_messages_and_channel_posts_get_no_answer(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    fake.add_group(GROUP)
    me = fake.bot_user()
    for content in (
        {"new_chat_members": [me]},
        {"new_chat_members": [ADMIN_EN.to_api()]},
        {"left_chat_member": ADMIN_EN.to_api()},
        {"group_chat_created": True},
        {"migrate_to_chat_id": -1001234567890},
    ):
        await bot.feed(fake.group_message_update(GROUP, ADMIN, **content))
    await bot.feed(fake.channel_post_update(-1009999, "Канал", "/start"))
    assert fake.messages(GROUP.id) == []
    assert fake.sent == []


@pytest.mark.parametrize("user", [ADMIN, ADMIN_EN])
async def test_personal_commands_in_a_group_get_one_pointer_to_the_private_chat(
    bot: BotHarness, fake: FakeBotAPI, user: FakeUser
) -> None:
    await stored_page(bot, user)
    fake.add_group(GROUP)
    await bot.feed(fake.group_message_update(GROUP, user, f"/mypages@{fake.username}"))
    [pointer] = fake.messages(GROUP.id)
    expected = "I work in a private chat: open it with the button below."
    assert pointer.text == translator(bot, user.language_code or "ru")(expected)
    [[button]] = (pointer.inline_markup or {})["inline_keyboard"]
    assert button["url"] == f"https://t.me/{fake.username}?start=group"

    # More commands at once: the group's 20 messages a minute are not spent on pointers,
    # and no page card, wizard step or figure ever reaches the group.
    for text in ("/register", "/settings", "/report 1 500", "/mypages"):
        await bot.feed(fake.group_message_update(GROUP, user, text))
    assert fake.messages(GROUP.id) == [pointer]
    async with bot.db.read() as repos:
        page = await repos.pages.by_link_key("vk.com/club123")
    assert page is not None
    assert page.current_figure is None
    assert fake.flood_refusals == []


# ---------------------------------------------------------------------- stale taps


async def test_retapping_the_chosen_option_and_double_arrows_answer_each_tap_once(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    t = translator(bot, "ru")
    await bot.send(SUPER, "/start")
    await compose(bot, SUPER, "Напоминание")
    await bot.click(SUPER, t("⏰ Not reporting"))
    message = fake.last_message(SUPER.id)
    chosen = next(b for b in message.button_texts() if b.startswith("✅"))
    first = await bot.press(SUPER, message, _data(bot, SUPER, chosen))
    second = await bot.press(SUPER, message, _data(bot, SUPER, chosen))
    for update in (first, second):
        assert fake.answer_for(update) is not None

    arrows = await open_territories(bot, ADMIN)
    data = _data(bot, ADMIN, "▶️")
    taps = [fake.callback_update(ADMIN, arrows, data) for _ in range(2)]
    await asyncio.gather(*(bot.feed(tap) for tap in taps))
    for tap in taps:
        assert fake.answer_for(tap) is not None
    assert all(c.ok for c in fake.calls("answerCallbackQuery"))
    no_errors_logged(caplog)


async def test_a_button_on_an_old_message_is_answered_once(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await bot.send(ADMIN, "/start")
    menu = fake.last_message(ADMIN.id)
    await bot.send(ADMIN, "/register")
    await bot.send(ADMIN, "/cancel")
    update = await bot.press(ADMIN, menu, "no-such-button")
    answer = fake.answer_for(update)
    assert answer is not None
    assert len([c for c in fake.calls("answerCallbackQuery")]) == len(fake.callback_answers)


# ---------------------------------------------------------------------- work first


@pytest.mark.parametrize("item", ["📰 Weekly digest", "📊 Regional total", "📋 My pages"])
async def test_a_late_tap_is_still_done_when_its_answer_is_too_old(
    bot: BotHarness, fake: FakeBotAPI, caplog: pytest.LogCaptureFixture, item: str
) -> None:
    await stored_page(bot, ADMIN)
    await bot.send(ADMIN, "/start")
    menu = fake.last_message(ADMIN.id)
    button = translator(bot, "ru")(item)
    found = menu.find_button(button)
    assert found is not None
    update = fake.callback_update(ADMIN, menu, str(found["callback_data"]))
    fake.expire_callback_queries()  # the bot was behind by more than 15 s
    before = len(fake.messages(ADMIN.id))
    await bot.feed(update)
    assert len(fake.messages(ADMIN.id)) > before, "the tap's work was not done"
    no_errors_logged(caplog)
