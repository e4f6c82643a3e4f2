"""The delivery queue: every message the bot sends on its own is a row of `outbox`.

Rows are written inside the caller's unit of work, together with the event that causes
them, and sent by `bot.services.delivery.DeliveryWorker`. Like every repository, this one
never commits.

Lifecycle: pending → sending → sent | failed | blocked, and pending → cancelled. A row in
'sending' belongs to the worker that claimed it; after a crash `release_in_flight()` puts
such rows back to pending.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Any

import aiosqlite

#: The error recorded on rows skipped because their user is already unreachable.
UNREACHABLE = "user unreachable"
#: Most messages one copyMessages request copies (Telegram's limit).
MAX_COPIED = 100


class OutboxKind(StrEnum):
    TEXT = "text"  # payload {"text", "reply_markup"?}, sent with parse_mode HTML
    COPY = "copy"  # payload {"from_chat_id", "message_id"}
    PHOTO = "photo"  # payload {"file", "caption", "reply_markup"?}: an outbox_files id
    ALBUM = "album"  # payload {"from_chat_id", "message_ids"}: copied together (copyMessages)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    id: int
    chat_id: int
    priority: int
    kind: OutboxKind
    payload: Mapping[str, Any]
    broadcast_id: int | None
    status: OutboxStatus
    attempts: int
    not_before: int
    error: str | None
    created_at: int
    sent_at: int | None


def text_payload(text: str, reply_markup: Mapping[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": text}
    if reply_markup is not None:
        payload["reply_markup"] = dict(reply_markup)
    return payload


def copy_payload(from_chat_id: int, message_id: int) -> dict[str, Any]:
    return {"from_chat_id": from_chat_id, "message_id": message_id}


def album_payload(from_chat_id: int, message_ids: Sequence[int]) -> dict[str, Any]:
    """Messages of `from_chat_id` copied in one copyMessages request, so that an album stays
    an album. `message_ids`: 1-100 ids in strictly increasing order, else ValueError."""
    ids = [int(message_id) for message_id in message_ids]
    if not 1 <= len(ids) <= MAX_COPIED or any(a >= b for a, b in pairwise(ids)):
        raise ValueError("message_ids must be 1-100 ids in strictly increasing order")
    return {"from_chat_id": from_chat_id, "message_ids": ids}


def messages_in(message: OutboxMessage) -> int:
    """How many messages sending the row creates (an album: one per item)."""
    if message.kind is OutboxKind.ALBUM:
        return len(message.payload["message_ids"])
    return 1


def photo_payload(
    file: int, caption: str, reply_markup: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A photo from `outbox_files` with an HTML caption."""
    payload: dict[str, Any] = {"file": file, "caption": caption}
    if reply_markup is not None:
        payload["reply_markup"] = dict(reply_markup)
    return payload


@dataclass(frozen=True, slots=True)
class OutboxFile:
    """A file queued photos send; `file_id` is Telegram's, once it was uploaded."""

    id: int
    content: bytes
    file_name: str
    file_id: str | None


def _encode(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class OutboxRepository:
    _COLUMNS = (
        "id, chat_id, priority, kind, payload, broadcast_id, status, attempts, not_before,"
        " error, created_at, sent_at"
    )
    _INSERT = (
        "INSERT INTO outbox (chat_id, priority, kind, payload, broadcast_id, not_before,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @staticmethod
    def _record(row: Sequence[Any]) -> OutboxMessage:
        return OutboxMessage(
            id=row[0],
            chat_id=row[1],
            priority=row[2],
            kind=OutboxKind(row[3]),
            payload=json.loads(row[4]),
            broadcast_id=row[5],
            status=OutboxStatus(row[6]),
            attempts=row[7],
            not_before=row[8],
            error=row[9],
            created_at=row[10],
            sent_at=row[11],
        )

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self._conn.execute(sql, params) as cursor:
            rows = await cursor.fetchall()
        return [tuple(row) for row in rows]

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._conn.execute(sql, params) as cursor:
            return cursor.rowcount

    # ------------------------------------------------------------------ writing rows

    async def add(
        self,
        chat_id: int,
        kind: OutboxKind,
        payload: Mapping[str, Any],
        *,
        priority: int,
        now: int,
        broadcast_id: int | None = None,
        not_before: int | None = None,
    ) -> int:
        async with self._conn.execute(
            self._INSERT,
            (
                chat_id,
                priority,
                kind.value,
                _encode(payload),
                broadcast_id,
                now if not_before is None else not_before,
                now,
            ),
        ) as cursor:
            row_id = cursor.lastrowid
        assert row_id is not None
        return row_id

    async def add_text(
        self,
        chat_id: int,
        text: str,
        *,
        priority: int,
        now: int,
        reply_markup: Mapping[str, Any] | None = None,
        broadcast_id: int | None = None,
        not_before: int | None = None,
    ) -> int:
        """Queue an HTML text; `reply_markup` is an InlineKeyboardMarkup as a dict."""
        return await self.add(
            chat_id,
            OutboxKind.TEXT,
            text_payload(text, reply_markup),
            priority=priority,
            now=now,
            broadcast_id=broadcast_id,
            not_before=not_before,
        )

    async def add_copy(
        self,
        chat_id: int,
        from_chat_id: int,
        message_id: int,
        *,
        priority: int,
        now: int,
        broadcast_id: int | None = None,
        not_before: int | None = None,
    ) -> int:
        """Queue a copy of an existing message (copyMessage)."""
        return await self.add(
            chat_id,
            OutboxKind.COPY,
            copy_payload(from_chat_id, message_id),
            priority=priority,
            now=now,
            broadcast_id=broadcast_id,
            not_before=not_before,
        )

    async def add_many(
        self,
        kind: OutboxKind,
        messages: Iterable[tuple[int, Mapping[str, Any]]],
        *,
        priority: int,
        now: int,
        broadcast_id: int | None = None,
        not_before: int | None = None,
    ) -> int:
        """Queue (chat_id, payload) pairs in one statement; returns how many.

        A payload object repeated for every recipient (a broadcast) is encoded once.
        """
        due = now if not_before is None else not_before
        last: Mapping[str, Any] | None = None
        encoded = ""
        rows: list[tuple[Any, ...]] = []
        for chat_id, payload in messages:
            if payload is not last:
                last, encoded = payload, _encode(payload)
            rows.append((chat_id, priority, kind.value, encoded, broadcast_id, due, now))
        if rows:
            await self._conn.executemany(self._INSERT, rows)
        return len(rows)

    # ------------------------------------------------------------------ files

    async def add_file(self, content: bytes, file_name: str, *, now: int) -> int:
        """Store a file for photo rows to send; returns its id for `photo_payload`."""
        async with self._conn.execute(
            "INSERT INTO outbox_files (content, file_name, created_at) VALUES (?, ?, ?)",
            (content, file_name, now),
        ) as cursor:
            file = cursor.lastrowid
        assert file is not None
        return file

    async def file(self, file: int) -> OutboxFile | None:
        rows = await self._all(
            "SELECT id, content, file_name, file_id FROM outbox_files WHERE id = ?", (file,)
        )
        return OutboxFile(*rows[0]) if rows else None

    async def remember_file_id(self, file: int, file_id: str) -> None:
        """Telegram's id of an uploaded file: later sends reuse it instead of uploading."""
        await self._run("UPDATE outbox_files SET file_id = ? WHERE id = ?", (file_id, file))

    # ------------------------------------------------------------------ the worker's side

    async def claim_due(
        self, now: int, limit: int, exclude_chats: Collection[int] = ()
    ) -> list[OutboxMessage]:
        """Move up to `limit` due pending rows to 'sending' and return them.

        Rows go in priority order, then by `not_before` and id; at most one row per chat,
        and none for `exclude_chats` (chats busy or waiting for their next slot), so a
        burst to one chat never fills a claim. Due rows for users already marked
        unreachable are marked blocked on the way, without being returned.
        Call inside a write transaction: the choice and the move are atomic.
        """
        if limit <= 0:
            return []
        excluded = set(exclude_chats)
        chosen: list[int] = []
        # Rows of one chat (or of unreachable users) can fill the front of the queue:
        # look a bit further than `limit`, take one row per chat, and look again if
        # that was not enough. Rows left behind stay pending for the next claim.
        for _ in range(4):
            window = (limit - len(chosen)) * 4
            candidates = await self._all(
                "SELECT o.id, o.chat_id, coalesce(u.reachable, 1) FROM outbox o"
                " LEFT JOIN users u ON u.id = o.chat_id"
                " WHERE o.status = 'pending' AND o.not_before <= ?1"
                " AND o.chat_id NOT IN (SELECT value FROM json_each(?2))"
                " ORDER BY o.priority, o.not_before, o.id LIMIT ?3",
                (now, json.dumps(list(excluded)), window),
            )
            unreachable: list[int] = []
            for row_id, chat_id, reachable in candidates:
                if not reachable:
                    unreachable.append(row_id)
                elif chat_id not in excluded and len(chosen) < limit:
                    excluded.add(chat_id)
                    chosen.append(row_id)
            if unreachable:
                await self._run(
                    "UPDATE outbox SET status = 'blocked', error = ?"
                    " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'",
                    (UNREACHABLE, json.dumps(unreachable)),
                )
            if len(chosen) >= limit or len(candidates) < window:
                break
        if not chosen:
            return []
        rows = await self._all(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1"
            " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'pending'"
            f" RETURNING {self._COLUMNS}",
            (json.dumps(chosen),),
        )
        claimed = [self._record(row) for row in rows]
        claimed.sort(key=lambda m: (m.priority, m.not_before, m.id))  # RETURNING has no order
        return claimed

    async def mark_sent(self, row_id: int, *, now: int) -> bool:
        return await self.mark_sent_many([row_id], now=now) > 0

    async def mark_sent_many(self, row_ids: Iterable[int], *, now: int) -> int:
        return await self._run(
            "UPDATE outbox SET status = 'sent', sent_at = ?, error = NULL"
            " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'sending'",
            (now, json.dumps(list(row_ids))),
        )

    async def mark_retry(
        self, row_id: int, not_before: int, error: str | None, *, count_attempt: bool = True
    ) -> bool:
        """Back to pending until `not_before`. `count_attempt=False` takes back the attempt
        the claim counted (a 429, or a row that was never sent)."""
        changed = await self._run(
            "UPDATE outbox SET status = 'pending', not_before = ?, error = ?,"
            " attempts = attempts - ? WHERE id = ? AND status = 'sending'",
            (not_before, error, 0 if count_attempt else 1, row_id),
        )
        return changed > 0

    async def mark_failed(self, row_id: int, error: str) -> bool:
        changed = await self._run(
            "UPDATE outbox SET status = 'failed', error = ? WHERE id = ? AND status = 'sending'",
            (error, row_id),
        )
        return changed > 0

    async def mark_blocked(self, row_id: int, error: str) -> bool:
        changed = await self._run(
            "UPDATE outbox SET status = 'blocked', error = ? WHERE id = ? AND status = 'sending'",
            (error, row_id),
        )
        return changed > 0

    async def release(self, row_ids: Iterable[int]) -> int:
        """Rows a stopping worker claimed but did not finish: back to pending, and the
        attempt the claim counted is taken back."""
        return await self._run(
            "UPDATE outbox SET status = 'pending', attempts = max(attempts - 1, 0)"
            " WHERE id IN (SELECT value FROM json_each(?)) AND status = 'sending'",
            (json.dumps(list(row_ids)),),
        )

    async def release_in_flight(self) -> int:
        """Every 'sending' row back to pending: at start-up, after a crash. Assumes one
        worker per database."""
        return await self._run("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")

    # ------------------------------------------------------------------ broadcasts, queries

    async def cancel_broadcast_rows(self, broadcast_id: int) -> int:
        """Pending rows of a broadcast → cancelled; rows being sent finish. Returns how many."""
        return await self._run(
            "UPDATE outbox SET status = 'cancelled' WHERE broadcast_id = ? AND status = 'pending'",
            (broadcast_id,),
        )

    async def counts_for_broadcast(self, broadcast_id: int) -> dict[OutboxStatus, int]:
        """Rows of a broadcast per status; every status is present (0 if none)."""
        counts = dict.fromkeys(OutboxStatus, 0)
        for status, count in await self._all(
            "SELECT status, count(*) FROM outbox WHERE broadcast_id = ? GROUP BY status",
            (broadcast_id,),
        ):
            counts[OutboxStatus(status)] = int(count)
        return counts

    async def next_due_at(self) -> int | None:
        """When the earliest pending row falls due (it may be in the past); None if none."""
        rows = await self._all("SELECT min(not_before) FROM outbox WHERE status = 'pending'")
        value = rows[0][0] if rows else None
        return int(value) if value is not None else None

    async def get(self, row_id: int) -> OutboxMessage | None:
        rows = await self._all(f"SELECT {self._COLUMNS} FROM outbox WHERE id = ?", (row_id,))
        return self._record(rows[0]) if rows else None

    async def status_counts(self) -> dict[OutboxStatus, int]:
        """Rows per status over the whole queue (monitoring, tests)."""
        counts = dict.fromkeys(OutboxStatus, 0)
        for status, count in await self._all("SELECT status, count(*) FROM outbox GROUP BY status"):
            counts[OutboxStatus(status)] = int(count)
        return counts
