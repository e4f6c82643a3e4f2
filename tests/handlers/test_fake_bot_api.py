"""Tests of the fake Telegram Bot API itself, driven through a real aiogram Bot."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from aiohttp import ClientSession

from tests.fakes.bot_api import FakeBotAPI, FakeUser

# The tests that measure time or rate are marked serial: they run alone (see the Makefile).

ANNA = FakeUser(id=1001, first_name="Анна", username="anna")


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons]
    return InlineKeyboardMarkup(inline_keyboard=rows)


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        api.add_user(ANNA)
        yield api


@pytest.fixture
async def bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with fake.make_bot() as client:
        yield client


# --------------------------------------------------------------------------- basics


async def test_get_me_through_aiogram(bot: Bot) -> None:
    me = await bot.get_me()

    assert me.id == 123456
    assert me.username == "gospublic_test_bot"
    assert me.is_bot


async def test_wrong_token_is_unauthorized(fake: FakeBotAPI) -> None:
    async with fake.make_bot(token="999:TEST-TOKEN") as stranger:
        with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
            await stranger.get_me()


async def test_unknown_method_is_not_found_and_method_names_ignore_case(
    fake: FakeBotAPI,
) -> None:
    async with ClientSession() as http:
        async with http.post(f"{fake.base_url}/bot{fake.token}/sendTelepathy") as response:
            unknown = (response.status, await response.json())
        async with http.post(f"{fake.base_url}/bot{fake.token}/GETME") as response:
            get_me = (response.status, await response.json())

    assert unknown == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    assert get_me[0] == 200
    assert get_me[1]["result"]["id"] == fake.bot_id
    assert [call.method for call in fake.requests] == ["sendTelepathy", "getMe"]


# --------------------------------------------------------------------------- HTML


async def test_send_message_html_is_parsed_and_recorded(fake: FakeBotAPI, bot: Bot) -> None:
    sent = await bot.send_message(ANNA.id, "<b>x</b> &amp; &lt;", parse_mode="HTML")

    assert sent.text == "x & <"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [("bold", 0, 1)]
    recorded = fake.last_message(ANNA.id)
    assert (recorded.text, recorded.raw_text, recorded.parse_mode) == (
        "x & <",
        "<b>x</b> &amp; &lt;",
        "HTML",
    )
    assert recorded.message_id == sent.message_id
    assert fake.requests[-1].params["parse_mode"] == "HTML"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>test</b></i>", 'Unmatched end tag at byte offset 10, expected "</i>"'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("AT&T", 'Character "&" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(bot: Bot, text: str, reason: str) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(ANNA.id, text, parse_mode="HTML")

    assert reason in caught.value.message


async def test_html_byte_offsets_are_utf8_and_bare_gt_is_fine(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match='"x" at byte offset 13'):
        # "Привет " is 13 bytes in UTF-8 but 7 characters.
        await bot.send_message(ANNA.id, "Привет <x>", parse_mode="HTML")

    sent = await bot.send_message(ANNA.id, "5 > 3, <i>ok</i>", parse_mode="HTML")
    assert sent.text == "5 > 3, ok"


# --------------------------------------------------------------------------- limits


async def test_text_length_counts_after_parsing(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(ANNA.id, "я" * 4096)
    await bot.send_message(ANNA.id, "&lt;" * 4096, parse_mode="HTML")  # 4096 characters
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ANNA.id, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(ANNA.id, "<b>" + "x" * 4097 + "</b>", parse_mode="HTML")

    assert len(fake.messages(ANNA.id)) == 2


async def test_empty_texts_and_long_captions(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(ANNA.id, "")
    with pytest.raises(TelegramBadRequest, match="text must be non-empty"):
        await bot.send_message(ANNA.id, "<b> </b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(ANNA.id, "https://example.com/a.jpg", caption="x" * 1025)


async def test_documents_are_limited_to_50_mb_and_kept_for_tests(
    fake: FakeBotAPI, bot: Bot
) -> None:
    limit = 50 * 1024 * 1024
    with pytest.raises(TelegramEntityTooLarge):
        await bot.send_document(ANNA.id, BufferedInputFile(b"x" * (limit + 1), "big.csv"))
    sent = await bot.send_document(ANNA.id, BufferedInputFile(b"y" * limit, "full.csv"))

    assert sent.document is not None
    assert (sent.document.file_name, sent.document.file_size) == ("full.csv", limit)
    uploaded = fake.last_message(ANNA.id).uploaded
    assert uploaded is not None
    assert (uploaded.filename, uploaded.data) == ("full.csv", b"y" * limit)
    assert len(fake.messages(ANNA.id)) == 1


async def test_callback_data_is_limited_to_64_bytes(fake: FakeBotAPI, bot: Bot) -> None:
    # 32 Cyrillic letters are 64 bytes; 33 are only 33 characters but 66 bytes.
    await bot.send_message(ANNA.id, "ok", reply_markup=keyboard(("a", "я" * 32)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ANNA.id, "too long", reply_markup=keyboard(("a", "я" * 33)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(ANNA.id, "too long", reply_markup=keyboard(("a", "x" * 65)))

    assert [m.text for m in fake.messages(ANNA.id)] == ["ok"]


async def test_answer_callback_query_text_limit(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(ANNA.id, "Вопрос?", reply_markup=keyboard(("Да", "yes")))
    update = fake.click(ANNA, fake.last_message(ANNA.id), "Да")
    query_id = update["callback_query"]["id"]

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    assert await bot.answer_callback_query(query_id, text="x" * 200)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)  # a query is answered once

    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == "x" * 200


async def test_edit_message_not_modified_and_not_found(fake: FakeBotAPI, bot: Bot) -> None:
    markup = keyboard(("Да", "yes"))
    sent = await bot.send_message(ANNA.id, "<b>a</b>", parse_mode="HTML", reply_markup=markup)

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        # Different markup of the same text and entities is still the same message.
        await bot.edit_message_text(
            "<strong>a</strong>",
            chat_id=ANNA.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("b", chat_id=ANNA.id, message_id=999)

    # Without reply_markup the keyboard goes away, which is a modification.
    edited = await bot.edit_message_text(
        "<b>a</b>", chat_id=ANNA.id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, Message)
    assert edited.reply_markup is None
    current = fake.last_message(ANNA.id)
    assert current.edited
    assert current.history[0].reply_markup is not None
    assert current.inline_markup is None


async def test_commands_are_validated_and_stored_per_scope(fake: FakeBotAPI, bot: Bot) -> None:
    scope = BotCommandScopeChat(chat_id=ANNA.id)
    await bot.set_my_commands([BotCommand(command="start", description="Начать")])
    await bot.set_my_commands(
        [BotCommand(command="help", description="Помощь")], scope=scope, language_code="ru"
    )

    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])
    with pytest.raises(TelegramBadRequest, match="command description must be non-empty"):
        await bot.set_my_commands([BotCommand(command="ok", description=" ")])
    with pytest.raises(TelegramBadRequest, match="BOT_COMMANDS_TOO_MUCH"):
        await bot.set_my_commands(
            [BotCommand(command=f"c{i}", description="x") for i in range(101)]
        )

    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(scope=scope, language_code="ru")] == [
        "help"
    ]
    assert await bot.get_my_commands(scope=scope) == []
    assert fake.commands() == [{"command": "start", "description": "Начать"}]


# --------------------------------------------------------------------------- chats


async def test_blocked_deactivated_and_unknown_chats(fake: FakeBotAPI, bot: Bot) -> None:
    fake.block(ANNA.id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ANNA.id, "hi")
    fake.unblock(ANNA.id)
    await bot.send_message(ANNA.id, "hi")

    boris = fake.add_user(FakeUser(id=1002, first_name="Борис"))
    fake.deactivate(boris.id)
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.send_message(boris.id, "hi")

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hi")

    assert [m.text for m in fake.sent] == ["hi"]


async def test_my_chat_member_update_follows_block_state(fake: FakeBotAPI, bot: Bot) -> None:
    update = fake.my_chat_member_update(ANNA, "member", "kicked")

    parsed = Update.model_validate(update)
    assert parsed.my_chat_member is not None
    assert parsed.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(ANNA.id, "hi")


# --------------------------------------------------------------------------- albums


async def test_album_updates_share_a_media_group_and_copy_as_one_album(
    fake: FakeBotAPI, bot: Bot
) -> None:
    boris = fake.add_user(FakeUser(id=1002, first_name="Борис"))
    updates = fake.album_updates(ANNA, kinds=("photo", "video", "photo"), caption="Афиша")
    messages = [Update.model_validate(update).message for update in updates]
    assert all(message is not None for message in messages)
    items = [message for message in messages if message is not None]
    assert len({item.media_group_id for item in items}) == 1
    assert items[0].media_group_id is not None
    assert [item.content_type for item in items] == ["photo", "video", "photo"]
    assert [item.caption for item in items] == ["Афиша", None, None]

    copied = await bot.copy_messages(boris.id, ANNA.id, [item.message_id for item in items])

    album = fake.messages(boris.id)
    assert [c.message_id for c in copied] == [m.message_id for m in album]
    assert [m.media_kind for m in album] == ["photo", "video", "photo"]
    assert [m.caption for m in album] == ["Афиша", None, None]
    groups = {m.media_group_id for m in album}
    assert len(groups) == 1
    assert groups != {items[0].media_group_id}  # a new album, not the original's
    assert None not in groups
    # Two albums copied together stay two albums; a text has no group.
    second = [Update.model_validate(u).message for u in fake.album_updates(ANNA)]
    text = await bot.send_message(ANNA.id, "подпись")
    ids = [items[0].message_id, items[1].message_id]
    ids += [m.message_id for m in second if m is not None] + [text.message_id]
    await bot.copy_messages(boris.id, ANNA.id, ids)
    fresh = fake.messages(boris.id)[3:]
    assert len(fresh) == 5
    assert fresh[0].media_group_id == fresh[1].media_group_id
    assert fresh[2].media_group_id == fresh[3].media_group_id != fresh[0].media_group_id
    assert fresh[4].media_group_id is None
    assert fresh[4].text == "подпись"


async def test_copy_messages_validates_ids_and_skips_missing_messages(
    fake: FakeBotAPI, bot: Bot
) -> None:
    boris = fake.add_user(FakeUser(id=1002, first_name="Борис"))
    first, second = (int(update["message"]["message_id"]) for update in fake.album_updates(ANNA))
    for ids, reason in (
        ([], "message identifiers are not specified"),
        ([second, first], "strictly increasing order"),
        ([first, first], "strictly increasing order"),
        (list(range(1, 102)), "too many messages to copy"),
        ([first + 100, first + 200], "there are no messages to copy"),
    ):
        with pytest.raises(TelegramBadRequest, match=reason):
            await bot.copy_messages(boris.id, ANNA.id, ids)
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.copy_messages(boris.id, 424242, [first])
    assert fake.messages(boris.id) == []

    copied = await bot.copy_messages(boris.id, ANNA.id, [first, second, second + 50])

    assert len(copied) == 2  # the one that does not exist is skipped
    assert [m.media_kind for m in fake.messages(boris.id)] == ["photo", "photo"]


@pytest.mark.serial
async def test_copy_messages_counts_each_item_against_the_global_rate(
    fake: FakeBotAPI, bot: Bot
) -> None:
    boris = fake.add_user(FakeUser(id=1002, first_name="Борис"))
    ids = [int(u["message"]["message_id"]) for u in fake.album_updates(ANNA, ("photo",) * 3)]
    fake.global_rate_limit = 5
    await bot.copy_messages(boris.id, ANNA.id, ids)  # 3 of 5

    with pytest.raises(TelegramRetryAfter):
        await bot.copy_messages(boris.id, ANNA.id, ids)  # 6 of 5: refused whole
    await bot.copy_messages(boris.id, ANNA.id, ids[:2])  # 5 of 5

    assert len(fake.messages(boris.id)) == 5
    assert fake.flood_refusals == [boris.id]


@pytest.mark.serial
async def test_an_album_is_one_post_for_its_chats_limit(fake: FakeBotAPI, bot: Bot) -> None:
    boris = fake.add_user(FakeUser(id=1002, first_name="Борис"))
    kinds = ("document",) * 10
    ids = [int(u["message"]["message_id"]) for u in fake.album_updates(ANNA, kinds)]
    fake.per_chat_bucket = (2, 1.0)

    await bot.copy_messages(boris.id, ANNA.id, ids)  # ten items, one of two tokens
    await bot.send_message(boris.id, "и ещё")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(boris.id, "слишком быстро")

    assert [m.media_kind for m in fake.messages(boris.id)][:10] == ["document"] * 10


# --------------------------------------------------------------------------- faults


async def test_injected_429_raises_retry_after(fake: FakeBotAPI, bot: Bot) -> None:
    fake.inject("sendMessage", error_code=429, retry_after=7)

    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ANNA.id, "hi")
    assert caught.value.retry_after == 7
    await bot.send_message(ANNA.id, "hi again")  # only the next call fails

    assert [m.text for m in fake.messages(ANNA.id)] == ["hi again"]
    assert [(c.ok, c.error_code) for c in fake.calls("sendMessage")] == [(False, 429), (True, None)]


@pytest.mark.serial
async def test_per_chat_rate_limit(fake: FakeBotAPI, bot: Bot) -> None:
    fake.per_chat_rate_limit = 1
    await bot.send_message(ANNA.id, "first")

    with pytest.raises(TelegramRetryAfter, match="Too Many Requests: retry after 1") as caught:
        await bot.send_message(ANNA.id, "second")
    assert caught.value.retry_after == 1


async def test_random_faults_are_repeatable(fake: FakeBotAPI, bot: Bot) -> None:
    async def outcomes() -> list[bool]:
        fake.inject_probability(error_code=429, retry_after=1, p=0.5, seed=42)
        results = []
        for i in range(12):
            try:
                await bot.send_message(ANNA.id, f"m{i}")
            except TelegramRetryAfter:
                results.append(False)
            else:
                results.append(True)
        return results

    first, second = await outcomes(), await outcomes()

    assert first == second
    assert True in first
    assert False in first


@pytest.mark.parametrize("after_processing", [False, True])
async def test_drop_next_closes_the_connection(
    fake: FakeBotAPI, bot: Bot, after_processing: bool
) -> None:
    fake.drop_next("sendMessage", after_processing=after_processing)

    with pytest.raises(TelegramNetworkError):
        await bot.send_message(ANNA.id, "lost answer")

    # Either nothing was sent, or the message was sent and only the answer got lost.
    assert len(fake.messages(ANNA.id)) == int(after_processing)
    assert fake.requests[-1].dropped
    await bot.send_message(ANNA.id, "next")


@pytest.mark.serial
async def test_latency_does_not_serialise_requests(fake: FakeBotAPI, bot: Bot) -> None:
    fake.latency = 0.3
    started = time.monotonic()

    await asyncio.gather(*(bot.send_message(ANNA.id, f"m{i}") for i in range(5)))

    elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.2  # five serial requests would take 1.5 s
    assert sorted(m.message_id for m in fake.messages(ANNA.id)) == [1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- updates


@pytest.mark.serial
async def test_get_updates_long_polls_and_offset_confirms(fake: FakeBotAPI, bot: Bot) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_polling()
    pushed = fake.say(ANNA, "привет")

    updates = await asyncio.wait_for(poll, 5)

    assert time.monotonic() - started < 5
    assert [u.update_id for u in updates] == [pushed["update_id"]]
    assert updates[0].message is not None
    assert updates[0].message.text == "привет"
    # Not confirmed yet: delivered again.
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [pushed["update_id"]]
    # offset = last update_id + 1 confirms it.
    assert await bot.get_updates(offset=pushed["update_id"] + 1, timeout=0) == []
    assert fake.pending_updates == []


@pytest.mark.serial
async def test_get_updates_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()

    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_built_updates_are_valid_aiogram_updates(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(ANNA.id, "Вопрос?", reply_markup=keyboard(("Да", "yes")))
    updates = [
        fake.message_update(ANNA, "/start payload"),
        fake.message_update(ANNA, "/help@gospublic_test_bot please"),
        fake.photo_update(ANNA, caption="фото"),
        fake.document_update(ANNA, file_name="report.pdf"),
        fake.callback_update(ANNA, fake.last_message(ANNA.id), "yes"),
        fake.my_chat_member_update(ANNA, "kicked", "member"),
    ]

    parsed = [Update.model_validate(u) for u in updates]

    ids = [u.update_id for u in parsed]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    start, help_ = parsed[0].message, parsed[1].message
    assert start is not None
    assert help_ is not None
    assert [(e.type, e.offset, e.length) for e in start.entities or []] == [("bot_command", 0, 6)]
    assert [(e.type, e.length) for e in help_.entities or []] == [("bot_command", 24)]
    assert parsed[4].callback_query is not None
    assert parsed[4].callback_query.data == "yes"
    # The photo's file_id can be sent back by the bot.
    photo = parsed[2].message.photo if parsed[2].message else None
    assert photo is not None
    await bot.send_photo(ANNA.id, photo[-1].file_id)


async def test_click_unknown_button_lists_the_available_ones(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(ANNA.id, "?", reply_markup=keyboard(("Да", "yes"), ("Нет", "no")))

    with pytest.raises(AssertionError, match=r"available buttons: \['Да', 'Нет'\]"):
        fake.click(ANNA, fake.last_message(ANNA.id), "Может быть")


async def test_dispatcher_handles_a_built_update(fake: FakeBotAPI, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart(deep_link=True))
    async def start(message: Message) -> None:
        await message.answer(f"payload: {message.text}")

    await dp.feed_update(bot, Update.model_validate(fake.message_update(ANNA, "/start abc")))

    assert fake.last_message(ANNA.id).text == "payload: /start abc"


# --------------------------------------------------------------------------- waiting


@pytest.mark.serial
async def test_wait_for_wakes_on_the_request(fake: FakeBotAPI, bot: Bot) -> None:
    started = time.monotonic()
    task = asyncio.create_task(bot.send_message(ANNA.id, "hello"))

    call = await fake.wait_for("sendMessage", lambda c: c.params.get("text") == "hello")
    message = await fake.wait_for_message(ANNA.id, since=0)

    assert call.ok
    assert message.text == "hello"
    # Woken by the request itself, not by some polling interval.
    assert time.monotonic() - started < 0.25
    await task


async def test_wait_for_times_out_with_recent_calls(fake: FakeBotAPI, bot: Bot) -> None:
    await bot.get_me()

    with pytest.raises(TimeoutError, match=r"no sendMessage call within 0.05 s(.|\n)*getMe"):
        await fake.wait_for("sendMessage", timeout=0.05)
