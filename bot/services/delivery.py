"""The delivery worker: sends the rows of the outbox, paced to Telegram's limits.

Everything the bot sends on its own (alerts, reminders, broadcasts and their albums,
digests and their charts) is queued in the caller's unit of work (`enqueue_text`,
`repos.outbox.add_*`) and sent from here:

- in priority order, concurrently (each send is its own task), paced by the bot's one
  `RateBudget` (shared with direct answers, which go first; an album takes a slot per
  item) and a minimum interval per chat; rows of a chat that is waiting for its slot are
  skipped by the claim, so a burst to one chat never holds up the others;
- 429: the whole bot (answers too) pauses for `retry_after`, the row goes back to
  pending uncounted;
- 403 and 400 "chat not found": the row is blocked and `on_unreachable(chat_id)` runs;
  rows for users already marked unreachable are blocked by the claim without a request;
- other 400s: failed with Telegram's description, never retried;
- network errors, timeouts, 5xx: retried with exponential backoff, up to `max_attempts`.

Results are written in small batches; a claimed row counts against `concurrency` until
its result is committed, so a crash sends again at most `concurrency` messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from bot.services.clock import Clock
from bot.services.flood import Lane, RateBudget, prepaid
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, OutboxMessage, OutboxStatus, messages_in
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

#: How often the queue is looked at without a `wake()`: rows written by another process,
#: retries whose `not_before` has come.
POLL_INTERVAL = 1.0
#: How long `stop()` waits for requests in flight, and then for their results.
STOP_GRACE = 5.0
#: One claim takes about this many seconds of sending at the global rate: an alert
#: queued behind a claimed batch of a broadcast waits at most about this long.
CLAIM_AHEAD = 0.25
#: Longest error text stored in a row.
MAX_ERROR_LENGTH = 300

OnUnreachable = Callable[[int], Awaitable[None]]


class Priority(IntEnum):
    """Lower goes first."""

    ALERT = 0  # alerts, reminders, approval notices
    BROADCAST = 5
    DIGEST = 6


async def enqueue_text(
    repos: Repositories,
    chat_id: int,
    text: str,
    *,
    priority: Priority | int,
    now: int,
    reply_markup: InlineKeyboardMarkup | Mapping[str, Any] | None = None,
) -> int:
    """Queue an HTML text inside the caller's unit of work; returns the row id.

    Call `DeliveryWorker.wake()` after the unit of work commits to send it at once.
    """
    markup = (
        reply_markup.model_dump(mode="json", exclude_none=True)
        if isinstance(reply_markup, InlineKeyboardMarkup)
        else reply_markup
    )
    return await repos.outbox.add_text(
        chat_id, text, priority=int(priority), now=now, reply_markup=markup
    )


@dataclass(frozen=True, slots=True)
class _Outcome:
    row: OutboxMessage
    status: OutboxStatus  # SENT, PENDING (a retry), FAILED or BLOCKED
    error: str | None = None
    not_before: int = 0  # PENDING only
    count_attempt: bool = True  # PENDING only: False for a 429


class DeliveryWorker:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        clock: Clock,
        *,
        global_rate: float = 30.0,
        per_chat_interval: float = 1.0,
        max_attempts: int = 6,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        concurrency: int = 64,
        on_unreachable: OnUnreachable | None = None,
        budget: RateBudget | None = None,
        replica: str | None = None,
    ) -> None:
        if global_rate <= 0 or concurrency < 1 or max_attempts < 1:
            raise ValueError("global_rate, concurrency and max_attempts must be positive")
        self._db = db
        self._bot = bot
        self._clock = clock
        self._rate = global_rate
        self._per_chat_interval = max(per_chat_interval, 0.0)
        self._max_attempts = max_attempts
        self._backoff_base = max(backoff_base, 0.0)
        self._backoff_cap = max(backoff_cap, 0.0)
        self._concurrency = concurrency
        self._on_unreachable = on_unreachable
        # Recorded in each row it claims: which of several processes sent it.
        self._replica = replica
        self._claim_size = max(1, math.ceil(global_rate * CLAIM_AHEAD))

        self._budget = budget or RateBudget(rate=global_rate, per_chat_interval=per_chat_interval)
        # Rows held back while their user's update was handled can go now.
        self._budget.on_release(self.wake)
        self._chat_ready: dict[int, float] = {}  # chat → loop time of its next slot

        self._held: dict[int, OutboxMessage] = {}  # claimed, result not yet committed
        self._file_ids: dict[int, str] = {}  # outbox file → Telegram's file_id
        self._uploads: dict[int, asyncio.Lock] = {}  # outbox file → its first upload
        self._tasks: set[asyncio.Task[None]] = set()
        self._outcomes: list[_Outcome] = []
        self._outcome_ready = asyncio.Event()
        self._nudge = asyncio.Event()
        self._stopping = asyncio.Event()
        self._closing = False
        self._loop_task: asyncio.Task[None] | None = None
        self._flush_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def running(self) -> bool:
        return self._loop_task is not None

    async def start(self) -> None:
        """Put back rows a crash left in 'sending', then start sending."""
        if self._loop_task is not None:
            raise RuntimeError("the delivery worker is already running")
        async with self._db.write() as repos:
            released = await repos.outbox.release_in_flight()
        if released:
            log.warning(
                "Delivery: %d messages were being sent at the last stop; resending", released
            )
        self._stopping = asyncio.Event()
        self._outcome_ready = asyncio.Event()
        self._nudge = asyncio.Event()
        self._closing = False
        self._loop_task = asyncio.create_task(self._run(), name="delivery-loop")
        self._flush_task = asyncio.create_task(self._flush_loop(), name="delivery-results")

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop claiming, let requests in flight finish (up to `grace` seconds), record
        their results, and put whatever did not finish back to pending."""
        loop_task, flush_task = self._loop_task, self._flush_task
        if loop_task is None or flush_task is None:
            return
        self._stopping.set()
        self._nudge.set()
        await loop_task
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            if late:
                log.warning(
                    "Delivery: %d requests still in flight at stop were abandoned", len(late)
                )
        self._closing = True
        self._outcome_ready.set()
        try:
            await asyncio.wait_for(flush_task, timeout=grace)
        except TimeoutError:
            log.error("Delivery: could not record the last results before stopping")
        if self._held:
            try:
                async with self._db.write() as repos:
                    await repos.outbox.release(list(self._held), claimed_by=self._replica)
            except Exception:
                log.exception("Delivery: could not put %d unfinished rows back", len(self._held))
        self._held.clear()
        self._outcomes.clear()
        self._loop_task = self._flush_task = None

    def wake(self) -> None:
        """New rows were committed: look at the queue now rather than at the next poll."""
        self._nudge.set()

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                await self._cycle(loop)
            except Exception:
                log.exception("Delivery: the loop failed; trying again in %.0f s", POLL_INTERVAL)
                await self._sleep(POLL_INTERVAL)

    async def _cycle(self, loop: asyncio.AbstractEventLoop) -> None:
        # Cleared before the claim: a wake() from now on is seen by the next _idle().
        self._nudge.clear()
        if (paused := self._budget.paused_for) > 0:
            await self._sleep(paused)
            return
        now = loop.time()
        free = self._concurrency - len(self._held)
        if free <= 0:
            await self._idle(None)  # a committed result frees a slot and nudges
            return
        limit = min(free, self._claim_size)
        busy = self._busy_chats(now)
        async with self._db.write() as repos:
            rows = await repos.outbox.claim_due(
                self._clock.now(), limit, busy, claimed_by=self._replica
            )
        for row in rows:
            self._held[row.id] = row
        for row in rows:
            if not await self._take_slot(row.chat_id, messages_in(row)):
                return  # stopping: stop() puts the rows not sent back
            self._chat_ready[row.chat_id] = loop.time() + self._per_chat_interval
            with prepaid():  # the request middleware must not take a second slot
                task = asyncio.create_task(self._deliver(row), name=f"delivery-{row.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if len(rows) < limit:
            await self._idle(self._idle_timeout(loop.time()))

    def _busy_chats(self, now: float) -> set[int]:
        """Chats the claim skips: a row in flight, or waiting for the chat's next slot."""
        for chat_id in [c for c, ready in self._chat_ready.items() if ready <= now]:
            del self._chat_ready[chat_id]
        held = {row.chat_id for row in self._held.values()}
        # Chats whose burst direct answers have spent wait too, rather than the claim.
        return held | self._chat_ready.keys() | self._budget.busy_chats()

    def _idle_timeout(self, now: float) -> float:
        # A chat whose slot opens may have rows waiting: look again then.
        waits = [ready - now for ready in self._chat_ready.values() if ready > now]
        return min([POLL_INTERVAL, *waits])

    async def _take_slot(self, chat_id: int, count: int = 1) -> bool:
        """Wait for the budget's slot for `count` messages (an album takes one per item)
        and for a 429 pause; False when stopping."""
        if self._stopping.is_set():
            return False
        slot = asyncio.ensure_future(self._budget.acquire(chat_id, count, Lane.BACKGROUND))
        stop = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({slot, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if slot.done():
            return True
        slot.cancel()
        return False

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but return at once when the worker is stopping."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await self._stopping.wait()

    async def _idle(self, seconds: float | None) -> None:
        """Wait for a wake(), a freed slot or stopping, at most `seconds`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._nudge.wait()

    # ------------------------------------------------------------------ one message

    async def _deliver(self, row: OutboxMessage) -> None:
        outcome = await self._attempt(row)
        self._outcomes.append(outcome)
        self._outcome_ready.set()
        if outcome.status is OutboxStatus.BLOCKED and self._on_unreachable is not None:
            try:
                await self._on_unreachable(row.chat_id)
            except Exception:
                log.exception("Delivery: on_unreachable failed for chat %d", row.chat_id)

    async def _send(self, row: OutboxMessage) -> None:
        payload = row.payload
        markup = payload.get("reply_markup")
        reply_markup = InlineKeyboardMarkup.model_validate(markup) if markup else None
        match row.kind:
            case OutboxKind.TEXT:
                await self._bot.send_message(
                    chat_id=row.chat_id,
                    text=str(payload["text"]),
                    parse_mode=ParseMode.HTML,
                    reply_markup=reply_markup,
                )
            case OutboxKind.COPY:
                await self._bot.copy_message(
                    chat_id=row.chat_id,
                    from_chat_id=int(payload["from_chat_id"]),
                    message_id=int(payload["message_id"]),
                )
            case OutboxKind.PHOTO:
                await self._send_photo(row, reply_markup)
            case OutboxKind.ALBUM:
                await self._bot.copy_messages(
                    chat_id=row.chat_id,
                    from_chat_id=int(payload["from_chat_id"]),
                    message_ids=[int(message_id) for message_id in payload["message_ids"]],
                )

    async def _send_photo(self, row: OutboxMessage, markup: InlineKeyboardMarkup | None) -> None:
        """A file goes up once: its first send uploads it (the others wait for it), and
        every later one sends Telegram's file_id."""
        file = int(row.payload["file"])

        async def send(photo: str | BufferedInputFile) -> Message:
            return await self._bot.send_photo(
                chat_id=row.chat_id,
                photo=photo,
                caption=str(row.payload["caption"]),
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )

        async with self._uploads.setdefault(file, asyncio.Lock()):
            # The upload before this one may have been refused with a 429.
            await self._wait_out_pause()
            file_id = self._file_ids.get(file)
            if file_id is None:
                async with self._db.read() as repos:
                    stored = await repos.outbox.file(file)
                if stored is None:
                    raise LookupError(f"outbox file {file} is missing")
                if stored.file_id is None:
                    sent = await send(BufferedInputFile(stored.content, stored.file_name))
                    if sent.photo:
                        await self._remember_file_id(file, sent.photo[-1].file_id)  # largest
                    return
                file_id = self._file_ids[file] = stored.file_id
        await send(file_id)

    async def _remember_file_id(self, file: int, file_id: str) -> None:
        self._file_ids[file] = file_id
        try:
            async with self._db.write() as repos:
                await repos.outbox.remember_file_id(file, file_id)
        except Exception:  # the photo went out; after a restart it is uploaded again
            log.exception("Delivery: could not store the file_id of outbox file %d", file)

    async def _attempt(self, row: OutboxMessage) -> _Outcome:
        try:
            await self._send(row)
        except TelegramRetryAfter as exc:
            self._pause(exc.retry_after)
            log.warning(
                "Delivery: row %d to chat %d: 429, all sending paused for %d s",
                row.id,
                row.chat_id,
                exc.retry_after,
            )
            return _Outcome(
                row,
                OutboxStatus.PENDING,
                f"429: retry after {exc.retry_after} s",
                not_before=self._clock.now(),
                count_attempt=False,
            )
        except TelegramForbiddenError as exc:
            return self._blocked(row, exc)
        except TelegramBadRequest as exc:
            if "chat not found" in exc.message.lower():
                return self._blocked(row, exc)
            return self._failed(row, self._describe(exc))
        except TelegramEntityTooLarge as exc:  # a TelegramNetworkError, but final
            return self._failed(row, self._describe(exc))
        except (TelegramNetworkError, TelegramServerError, ClientDecodeError, TimeoutError) as exc:
            return self._transient(row, self._describe(exc))
        except TelegramAPIError as exc:  # 401, 404, 409, a group migrated: not retried
            return self._failed(row, self._describe(exc))
        except Exception as exc:
            # Only the type: the message of e.g. a validation error may quote the text.
            return self._failed(row, f"{type(exc).__name__} while sending")
        return _Outcome(row, OutboxStatus.SENT)

    async def _wait_out_pause(self) -> None:
        """Wait until a 429's pause is over (or the worker stops)."""
        while not self._stopping.is_set() and (left := self._budget.paused_for) > 0:
            await self._sleep(left)

    def _pause(self, retry_after: float) -> None:
        self._budget.pause(retry_after)

    def _blocked(self, row: OutboxMessage, exc: TelegramAPIError) -> _Outcome:
        error = self._describe(exc)
        log.warning("Delivery: row %d to chat %d blocked: %s", row.id, row.chat_id, error)
        return _Outcome(row, OutboxStatus.BLOCKED, error)

    def _failed(self, row: OutboxMessage, error: str) -> _Outcome:
        log.warning("Delivery: row %d to chat %d failed: %s", row.id, row.chat_id, error)
        return _Outcome(row, OutboxStatus.FAILED, error)

    def _transient(self, row: OutboxMessage, error: str) -> _Outcome:
        if row.attempts >= self._max_attempts:
            return self._failed(row, f"gave up after {row.attempts} attempts: {error}")
        delay = min(self._backoff_cap, self._backoff_base * 2**row.attempts)
        # The row's not_before has whole seconds; the chat's slot keeps the exact delay.
        ready = asyncio.get_running_loop().time() + delay
        self._chat_ready[row.chat_id] = max(self._chat_ready.get(row.chat_id, 0.0), ready)
        log.warning(
            "Delivery: row %d to chat %d, attempt %d: %s; retrying in %.1f s",
            row.id,
            row.chat_id,
            row.attempts,
            error,
            delay,
        )
        return _Outcome(row, OutboxStatus.PENDING, error, not_before=self._clock.now() + int(delay))

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, TelegramAPIError):
            text = f"{type(exc).__name__}: {exc.message}"
        elif isinstance(exc, TimeoutError):
            text = "timeout"
        else:
            text = type(exc).__name__
        # aiohttp's messages may quote the request URL, and the URL holds the token.
        return text.replace(self._bot.token, "<token>")[:MAX_ERROR_LENGTH]

    # ------------------------------------------------------------------ results

    async def _flush_loop(self) -> None:
        while True:
            await self._outcome_ready.wait()
            self._outcome_ready.clear()
            if not await self._flush():
                await asyncio.sleep(POLL_INTERVAL)
                self._outcome_ready.set()
            elif self._closing and not self._outcomes:
                return

    async def _flush(self) -> bool:
        """Commit the results gathered so far in one transaction; False if it failed."""
        batch, self._outcomes = self._outcomes, []
        if not batch:
            return True
        try:
            async with self._db.write() as repos:
                outbox = repos.outbox
                sent = [o.row.id for o in batch if o.status is OutboxStatus.SENT]
                if sent:
                    await outbox.mark_sent_many(sent, now=self._clock.now())
                for o in batch:
                    if o.status is OutboxStatus.PENDING:
                        await outbox.mark_retry(
                            o.row.id, o.not_before, o.error, count_attempt=o.count_attempt
                        )
                    elif o.status is OutboxStatus.FAILED:
                        await outbox.mark_failed(o.row.id, o.error or "failed")
                    elif o.status is OutboxStatus.BLOCKED:
                        await outbox.mark_blocked(o.row.id, o.error or "blocked")
        except Exception:
            log.exception("Delivery: could not record %d results; trying again", len(batch))
            self._outcomes[:0] = batch
            return False
        for o in batch:
            self._held.pop(o.row.id, None)
        self._nudge.set()  # slots are free, and the chats of these rows are claimable
        return True
