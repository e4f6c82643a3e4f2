"""The delivery worker against the fake Bot API: pacing, errors, retries, photos, albums."""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.services.delivery import DeliveryWorker, Priority, enqueue_text
from bot.storage.database import Database
from bot.storage.outbox import (
    UNREACHABLE,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    album_payload,
    photo_payload,
)
from tests.builders import outbox_row
from tests.clock import START, FakeClock
from tests.fakes.bot_api import Call, FakeBotAPI, FakeUser, UploadedFile

# The tests that measure time or rate are marked serial: they run alone (see the Makefile).

FIRST_USER = 5_000
FINAL = {OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.CANCELLED}

MakeWorker = Callable[..., DeliveryWorker]


# --------------------------------------------------------------------------- helpers


def users(fake: FakeBotAPI, count: int, *, first: int = FIRST_USER) -> list[int]:
    """`count` users who started the bot; returns their chat ids."""
    return [fake.add_user(FakeUser(id=first + i, first_name=f"U{i}")).id for i in range(count)]


async def enqueue(
    db: Database,
    clock: FakeClock,
    chat_ids: Iterable[int],
    *,
    priority: Priority = Priority.ALERT,
    text: str = "Hello <b>{chat}</b>",
) -> list[int]:
    async with db.write() as repos:
        return [
            await enqueue_text(
                repos, chat_id, text.format(chat=chat_id), priority=priority, now=clock.now()
            )
            for chat_id in chat_ids
        ]


async def rows(db: Database, row_ids: Iterable[int]) -> list[OutboxMessage]:
    async with db.read() as repos:
        found = [await repos.outbox.get(row_id) for row_id in row_ids]
    return [row for row in found if row is not None]


async def counts(db: Database) -> dict[OutboxStatus, int]:
    async with db.read() as repos:
        return await repos.outbox.status_counts()


async def wait_until(
    check: Callable[[], bool | Awaitable[bool]], *, within: float = 10.0, what: str = "condition"
) -> None:
    """Poll `check` until it holds; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within

    async def holds() -> bool:
        result = check()
        return await result if inspect.isawaitable(result) else bool(result)

    while not await holds():
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {within} s")
        await asyncio.sleep(0.02)


async def settled(db: Database, expected: int, *, within: float = 10.0) -> dict[OutboxStatus, int]:
    """Wait until `expected` rows reached a final status; returns the counts."""

    async def done() -> bool:
        current = await counts(db)
        return sum(current[status] for status in FINAL) >= expected

    await wait_until(done, within=within, what=f"{expected} rows settled")
    return await counts(db)


async def assert_each_sent_once(db: Database, fake: FakeBotAPI, chats: list[int]) -> None:
    """Once a row per chat in `chats` is settled: every row was sent, and each chat got
    exactly one message."""
    assert (await settled(db, len(chats)))[OutboxStatus.SENT] == len(chats)
    assert Counter(m.chat_id for m in fake.sent) == Counter(chats)


def sends(fake: FakeBotAPI) -> list[Call]:
    return [call for call in fake.requests if call.method in {"sendMessage", "copyMessage"}]


def chat_of(call: Call) -> int:
    return int(call.params["chat_id"])


@pytest.fixture
async def tg(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with fake.make_bot(default=DefaultBotProperties(parse_mode="HTML")) as client:
        yield client


@pytest.fixture
async def make_worker(
    db: Database, tg: Bot, clock: FakeClock
) -> AsyncIterator[Callable[..., DeliveryWorker]]:
    """Workers with fast test settings; every one is stopped at the end of the test."""
    made: list[DeliveryWorker] = []

    def make(**options: Any) -> DeliveryWorker:
        settings: dict[str, Any] = {
            "global_rate": 1000.0,
            "per_chat_interval": 0.05,
            "backoff_base": 0.01,
            "backoff_cap": 0.1,
            **options,
        }
        worker = DeliveryWorker(db, tg, clock, **settings)
        made.append(worker)
        return worker

    yield make
    for worker in made:
        await worker.stop()


class Unreachable:
    """An on_unreachable callback that marks the user as the bot will."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls: list[int] = []

    async def __call__(self, user_id: int) -> None:
        self.calls.append(user_id)
        async with self.db.write() as repos:
            await repos.users.set_reachable(user_id, False, now=START)


# --------------------------------------------------------------------------- sending


async def test_text_with_keyboard_and_copy_are_delivered(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    anna, boris = users(fake, 2)
    source = fake.message_update(fake.add_user(FakeUser(id=77, first_name="C")), "Всем привет")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Open", callback_data="open:1")]]
    )
    async with db.write() as repos:
        await enqueue_text(
            repos, anna, "<b>Milestone</b> 1 000", priority=Priority.ALERT, now=clock.now(),
            reply_markup=markup,
        )  # fmt: skip
        await repos.outbox.add_copy(
            boris, 77, source["message"]["message_id"], priority=Priority.BROADCAST,
            now=clock.now(),
        )  # fmt: skip
    worker = make_worker()
    await worker.start()

    text = await fake.wait_for_message(anna, since=0)
    copied = await fake.wait_for_message(boris, since=0)

    assert text.text == "Milestone 1 000"
    assert text.entities[0]["type"] == "bold"
    assert text.button_texts() == ["Open"]
    assert copied.method == "copyMessage"
    assert copied.text == "Всем привет"
    assert (await settled(db, 2))[OutboxStatus.SENT] == 2


@pytest.mark.serial
async def test_429_pauses_the_whole_bot_and_the_row_is_delivered_after(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 8)
    fake.inject("sendMessage", error_code=429, retry_after=1)
    await enqueue(db, clock, chats)
    await make_worker(global_rate=20).start()

    assert (await settled(db, len(chats)))[OutboxStatus.SENT] == len(chats)

    calls = sends(fake)
    refused = next(call for call in calls if call.error_code == 429)
    later = [call for call in calls if call.at > refused.finished_at]
    assert later, "rows were left for after the pause"
    # Nobody was sent anything while Telegram asked the bot to wait.
    assert min(call.at for call in later) >= refused.finished_at + 0.95
    assert Counter(m.chat_id for m in fake.sent) == Counter(chats)
    retried = await outbox_row(db, 1 + chats.index(chat_of(refused)))
    assert retried.status is OutboxStatus.SENT
    assert retried.attempts == 1  # the 429 is not counted as a failed attempt


@pytest.mark.parametrize("deactivated", [False, True])
async def test_403_blocks_the_row_without_retry_and_reports_the_user(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker, deactivated: bool
) -> None:
    (gone,) = users(fake, 1)
    (fine,) = users(fake, 1, first=FIRST_USER + 100)
    async with db.write() as repos:
        await repos.users.ensure(gone, now=clock.now())
    if deactivated:
        fake.deactivate(gone)
    else:
        fake.block(gone)
    unreachable = Unreachable(db)
    first, ok = await enqueue(db, clock, [gone, fine])
    await make_worker(on_unreachable=unreachable).start()

    await wait_until(lambda: bool(unreachable.calls), what="on_unreachable called")
    await settled(db, 2)
    blocked = await outbox_row(db, first)
    assert blocked.status is OutboxStatus.BLOCKED
    assert "Forbidden" in (blocked.error or "")
    assert unreachable.calls == [gone]
    assert (await outbox_row(db, ok)).status is OutboxStatus.SENT

    # The user is unreachable now: the next row is blocked without asking Telegram.
    requests_before = len(sends(fake))
    (second,) = await enqueue(db, clock, [gone])
    await settled(db, 3)
    assert (await outbox_row(db, second)).status is OutboxStatus.BLOCKED
    assert (await outbox_row(db, second)).error == UNREACHABLE
    assert len(sends(fake)) == requests_before
    assert unreachable.calls == [gone]
    assert [call.error_code for call in sends(fake) if chat_of(call) == gone] == [403]


async def test_400_is_not_retried_and_chat_not_found_blocks(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    (known,) = users(fake, 1)
    stranger = 424242  # never wrote to the bot: "chat not found"
    unreachable = Unreachable(db)
    async with db.write() as repos:
        await repos.users.ensure(stranger, now=clock.now())
    missing = (await enqueue(db, clock, [stranger]))[0]
    broken = (await enqueue(db, clock, [known], text="<b>unclosed"))[0]
    await make_worker(on_unreachable=unreachable).start()

    await settled(db, 2)
    assert (await outbox_row(db, missing)).status is OutboxStatus.BLOCKED
    assert "chat not found" in ((await outbox_row(db, missing)).error or "")
    failed = await outbox_row(db, broken)
    assert failed.status is OutboxStatus.FAILED
    assert "can't parse entities" in (failed.error or "")
    assert [call.error_code for call in sends(fake)] == [400, 400]  # neither was retried
    await wait_until(lambda: unreachable.calls == [stranger], what="on_unreachable")


async def test_5xx_and_dropped_connections_are_retried_until_delivered(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    (chat,) = users(fake, 1)
    fake.inject("sendMessage", error_code=502, times=2)
    fake.drop_next("sendMessage")
    fake.inject("sendMessage", error_code=500)
    (row_id,) = await enqueue(db, clock, [chat])
    await make_worker().start()

    message = await fake.wait_for_message(chat, since=0)

    assert message.text == f"Hello {chat}"
    await settled(db, 1)
    delivered = await outbox_row(db, row_id)
    assert delivered.status is OutboxStatus.SENT
    assert delivered.attempts == 5
    assert len(fake.messages(chat)) == 1


async def test_transient_errors_give_up_after_max_attempts(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    (chat,) = users(fake, 1)
    fake.inject("sendMessage", error_code=500, times=10)
    (row_id,) = await enqueue(db, clock, [chat])
    await make_worker(max_attempts=3).start()

    await settled(db, 1)
    failed = await outbox_row(db, row_id)
    assert failed.status is OutboxStatus.FAILED
    assert failed.attempts == 3
    assert (failed.error or "").startswith("gave up after 3 attempts")
    assert len(sends(fake)) == 3


@pytest.mark.serial
async def test_alerts_go_before_broadcasts(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 103)
    broadcast, alerts = chats[:100], chats[100:]
    await enqueue(db, clock, broadcast[:20], priority=Priority.BROADCAST)
    await enqueue(db, clock, alerts[:2], priority=Priority.ALERT)
    await enqueue(db, clock, broadcast[20:], priority=Priority.BROADCAST)
    worker = make_worker(global_rate=100)
    await worker.start()

    # Queued together: the alerts go first.
    await fake.wait_for_message(broadcast[9], since=0)
    assert {chat_of(call) for call in sends(fake)[:2]} == set(alerts[:2])

    # Queued while a broadcast is going out: the alert overtakes what is still queued.
    await enqueue(db, clock, alerts[2:], priority=Priority.ALERT)
    worker.wake()
    await settled(db, 103)
    order = [chat_of(call) for call in sends(fake)]
    after_alert = order[order.index(alerts[2]) + 1 :]
    assert len(after_alert) >= 40, f"the alert waited behind {100 - len(after_alert)} rows"


@pytest.mark.serial
async def test_a_burst_to_one_chat_does_not_delay_other_chats(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    busy, *others = users(fake, 6)
    await enqueue(db, clock, [busy] * 6)  # first in the queue
    await enqueue(db, clock, others)
    await make_worker(global_rate=200, per_chat_interval=0.25).start()

    for chat in others:
        await fake.wait_for_message(chat, since=0, timeout=5)
    # Everyone else was served while the busy chat had had at most its first message or two.
    assert len(fake.messages(busy)) <= 2

    await settled(db, 11)
    times = [call.at for call in sends(fake) if chat_of(call) == busy]
    assert len(times) == 6
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.2  # one chat's messages are spaced by per_chat_interval (0.25 s)


async def test_300_recipients_each_get_exactly_one_message(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 300)
    fake.latency = 0.05
    fake.inject("sendMessage", error_code=502, times=5)
    fake.drop_next("sendMessage", times=3)
    await enqueue(db, clock, chats, priority=Priority.BROADCAST)
    await make_worker(global_rate=2000).start()

    await assert_each_sent_once(db, fake, chats)


async def test_rows_left_sending_by_a_crash_are_sent_after_start(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 5)
    await enqueue(db, clock, chats)
    async with db.write() as repos:  # a worker claimed them, then the process died
        claimed = await repos.outbox.claim_due(clock.now(), 10)
    assert len(claimed) == 5
    assert (await counts(db))[OutboxStatus.SENDING] == 5

    await make_worker().start()

    await assert_each_sent_once(db, fake, chats)


@pytest.mark.serial
async def test_stop_puts_unsent_rows_back_and_a_new_worker_finishes_them(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 30)
    row_ids = await enqueue(db, clock, chats)
    first = make_worker(global_rate=20)
    await first.start()
    await fake.wait_for_message(chats[3], since=0)

    await first.stop()

    after_stop = await counts(db)
    assert after_stop[OutboxStatus.SENDING] == 0
    assert after_stop[OutboxStatus.SENT] == len(fake.sent)
    assert after_stop[OutboxStatus.PENDING] == 30 - len(fake.sent) > 0
    assert all(r.attempts == 0 for r in await rows(db, row_ids) if r.status is OutboxStatus.PENDING)

    await make_worker().start()
    await assert_each_sent_once(db, fake, chats)


@pytest.mark.serial
async def test_achieved_rate_is_close_to_the_limit(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    fake.latency = 0.15  # a sequential sender would manage about 6 a second
    await enqueue(db, clock, users(fake, 300), priority=Priority.BROADCAST)
    await make_worker(global_rate=100).start()

    await settled(db, 300)
    starts = sorted(call.at for call in sends(fake))
    rate = (len(starts) - 1) / (starts[-1] - starts[0])
    assert rate >= 80, f"{rate:.1f} messages a second"
    assert rate <= 110, f"{rate:.1f} messages a second: the limit is 100"


@pytest.mark.serial
async def test_wake_is_not_needed_rows_are_found_by_polling(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    (chat,) = users(fake, 1)
    await make_worker().start()
    await enqueue(db, clock, [chat])  # as if another process wrote it: no wake()

    message = await fake.wait_for_message(chat, since=0, timeout=3)
    assert message.text == f"Hello {chat}"


# --------------------------------------------------------------------------- photos

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # the fake does not decode images


async def enqueue_photos(
    db: Database, clock: FakeClock, chat_ids: Iterable[int], *, caption: str = "<b>Chart</b>"
) -> int:
    """One stored file and a photo row of it for each chat; returns the file's id."""
    async with db.write() as repos:
        file = await repos.outbox.add_file(PNG, "chart.png", now=clock.now())
        await repos.outbox.add_many(
            OutboxKind.PHOTO,
            ((chat, photo_payload(file, caption)) for chat in chat_ids),
            priority=Priority.DIGEST,
            now=clock.now(),
        )
    return file


def uploaded(call: Call) -> UploadedFile | None:
    """The file a sendPhoto call uploaded ("attach://<part>"); None if it sent a file_id."""
    photo = str(call.params["photo"])
    if not photo.startswith("attach://"):
        return None
    part = call.params.get(photo.removeprefix("attach://"))
    return part if isinstance(part, UploadedFile) else None


def photo_sends(fake: FakeBotAPI) -> tuple[list[Call], list[Call]]:
    """Successful sendPhoto calls: (uploads, sends by file_id)."""
    calls = [call for call in fake.calls("sendPhoto") if call.ok]
    return [c for c in calls if uploaded(c)], [c for c in calls if not uploaded(c)]


async def test_a_photo_is_uploaded_once_and_then_sent_by_its_file_id(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 6)
    file = await enqueue_photos(db, clock, chats[:5])
    await make_worker().start()

    assert (await settled(db, 5))[OutboxStatus.SENT] == 5
    [upload], by_id = photo_sends(fake)
    assert (part := uploaded(upload)) is not None
    assert part.data == PNG
    file_id = upload.result["photo"][-1]["file_id"]
    assert [call.params["photo"] for call in by_id] == [file_id] * 4
    for chat in chats[:5]:
        [message] = fake.messages(chat)
        assert message.media_kind == "photo"
        assert message.caption == "Chart"
        assert message.caption_entities[0]["type"] == "bold"
    async with db.read() as repos:
        stored = await repos.outbox.file(file)
    assert stored is not None
    assert stored.file_id == file_id

    # Another worker (after a restart) takes the file_id from the database.
    async with db.write() as repos:
        await repos.outbox.add(
            chats[5], OutboxKind.PHOTO, photo_payload(file, "Again"), priority=0, now=clock.now()
        )
    await make_worker().start()
    assert (await settled(db, 6))[OutboxStatus.SENT] == 6
    uploads, by_id = photo_sends(fake)
    assert len(uploads) == 1
    assert by_id[-1].params["photo"] == file_id


async def test_a_failed_upload_is_retried_and_a_missing_file_fails(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 3)
    fake.inject("sendPhoto", error_code=500)  # the first upload
    await enqueue_photos(db, clock, chats[:2])
    async with db.write() as repos:
        missing = await repos.outbox.add(
            chats[2], OutboxKind.PHOTO, photo_payload(999, "Gone"), priority=0, now=clock.now()
        )
    await make_worker().start()

    final = await settled(db, 3)
    assert final[OutboxStatus.SENT] == 2
    assert final[OutboxStatus.FAILED] == 1
    assert (await outbox_row(db, missing)).error == "LookupError while sending"
    uploads, by_id = photo_sends(fake)
    assert len(uploads) == 1
    assert len(by_id) == 1
    assert fake.messages(chats[2]) == []


@pytest.mark.serial
async def test_a_429_on_an_upload_holds_back_the_sends_waiting_for_it(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    chats = users(fake, 4)
    fake.inject("sendPhoto", error_code=429, retry_after=1)  # the first upload
    await enqueue_photos(db, clock, chats)
    await make_worker().start()

    assert (await settled(db, 4))[OutboxStatus.SENT] == 4
    [refused, *later] = fake.calls("sendPhoto")
    assert refused.error_code == 429
    # The sends queued behind the upload waited out the pause like every other send.
    assert min(call.at for call in later) >= refused.finished_at + 0.95
    uploads, by_id = photo_sends(fake)
    assert (len(uploads), len(by_id)) == (1, 3)


# --------------------------------------------------------------------------- albums


@pytest.mark.serial
async def test_an_album_is_one_copy_messages_and_takes_a_slot_per_item(
    fake: FakeBotAPI, db: Database, clock: FakeClock, make_worker: MakeWorker
) -> None:
    author, *chats = users(fake, 3)
    items = fake.album_updates(FakeUser(id=author, first_name="U0"), ("photo",) * 3)
    ids = [int(update["message"]["message_id"]) for update in items]
    async with db.write() as repos:
        await repos.outbox.add_many(
            OutboxKind.ALBUM,
            ((chat, album_payload(author, ids)) for chat in chats),
            priority=Priority.BROADCAST,
            now=clock.now(),
        )
    # At 5 messages a second (4 for the queue), the second album's three slots free up
    # only when the first album's leave the one-second window; were an album one message,
    # it would follow a quarter of a second later.
    await make_worker(global_rate=5).start()

    assert (await settled(db, 2))[OutboxStatus.SENT] == 2
    calls = fake.calls("copyMessages")
    assert [(chat_of(call), call.params["message_ids"]) for call in calls] == [
        (chats[0], ids),
        (chats[1], ids),
    ]
    assert calls[1].at - calls[0].at >= 0.75
    for chat in chats:
        album = fake.messages(chat)
        assert [m.media_kind for m in album] == ["photo"] * 3
        assert len({m.media_group_id for m in album}) == 1
