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
from typing import Any, NotRequired, TypedDict, Unpack

from bot.storage.base import Repository, columns, from_row, in_list, insert_sql, list_param

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
    #: The process that claimed it last ("host:pid"), None before any claim.
    claimed_by: str | None


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


class Queueing(TypedDict):
    """How rows are queued: `priority` (lower goes first), `now` (the time they are
    queued, Unix seconds), the broadcast they belong to, and `not_before` (the time they
    may be sent, Unix seconds; default: now)."""

    priority: int
    now: int
    broadcast_id: NotRequired[int | None]
    not_before: NotRequired[int | None]


def _row(chat_id: int, kind: OutboxKind, payload: str, queueing: Queueing) -> dict[str, Any]:
    """The columns of a new outbox row; `payload` already encoded."""
    now = queueing["now"]
    not_before = queueing.get("not_before")
    return {
        "chat_id": chat_id,
        "priority": queueing["priority"],
        "kind": kind.value,
        "payload": payload,
        "broadcast_id": queueing.get("broadcast_id"),
        "not_before": now if not_before is None else not_before,
        "created_at": now,
    }


#: The keys of `_row`.
_NEW_ROW_COLUMNS = (
    "chat_id",
    "priority",
    "kind",
    "payload",
    "broadcast_id",
    "not_before",
    "created_at",
)


class OutboxRepository(Repository):
    _COLUMNS = columns(OutboxMessage)

    @staticmethod
    def _record(row: Sequence[Any]) -> OutboxMessage:
        return from_row(
            OutboxMessage, row, kind=OutboxKind, payload=json.loads, status=OutboxStatus
        )

    # ------------------------------------------------------------------ writing rows

    async def add(
        self,
        chat_id: int,
        kind: OutboxKind,
        payload: Mapping[str, Any],
        **queueing: Unpack[Queueing],
    ) -> int:
        """Queue one message; returns the row's id."""
        return await self._insert("outbox", _row(chat_id, kind, _encode(payload), queueing))

    async def add_text(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: Mapping[str, Any] | None = None,
        **queueing: Unpack[Queueing],
    ) -> int:
        """Queue an HTML text; `reply_markup` is an InlineKeyboardMarkup as a dict."""
        return await self.add(
            chat_id, OutboxKind.TEXT, text_payload(text, reply_markup), **queueing
        )

    async def add_copy(
        self, chat_id: int, from_chat_id: int, message_id: int, **queueing: Unpack[Queueing]
    ) -> int:
        """Queue a copy of an existing message (copyMessage)."""
        return await self.add(
            chat_id, OutboxKind.COPY, copy_payload(from_chat_id, message_id), **queueing
        )

    async def add_many(
        self,
        kind: OutboxKind,
        messages: Iterable[tuple[int, Mapping[str, Any]]],
        **queueing: Unpack[Queueing],
    ) -> int:
        """Queue (chat_id, payload) pairs in one statement; returns how many.

        A payload object repeated for every recipient (a broadcast) is encoded once.
        """
        last: Mapping[str, Any] | None = None
        encoded = ""
        rows: list[dict[str, Any]] = []
        for chat_id, payload in messages:
            if payload is not last:
                last, encoded = payload, _encode(payload)
            rows.append(_row(chat_id, kind, encoded, queueing))
        if rows:
            await self._run_many(insert_sql("outbox", _NEW_ROW_COLUMNS), rows)
        return len(rows)

    # ------------------------------------------------------------------ files

    async def add_file(self, content: bytes, file_name: str, *, now: int) -> int:
        """Store a file for photo rows to send; returns its id for `photo_payload`."""
        return await self._insert(
            "outbox_files", {"content": content, "file_name": file_name, "created_at": now}
        )

    async def file(self, file: int) -> OutboxFile | None:
        """A stored file by id."""
        row = await self._one(
            "SELECT id, content, file_name, file_id FROM outbox_files WHERE id = :id", {"id": file}
        )
        return OutboxFile(*row) if row else None

    async def remember_file_id(self, file: int, file_id: str) -> None:
        """Telegram's id of an uploaded file: later sends reuse it instead of uploading."""
        await self._run(
            "UPDATE outbox_files SET file_id = :file_id WHERE id = :id",
            {"file_id": file_id, "id": file},
        )

    # ------------------------------------------------------------------ the worker's side

    async def claim_due(
        self,
        now: int,
        limit: int,
        exclude_chats: Collection[int] = (),
        *,
        claimed_by: str | None = None,
    ) -> list[OutboxMessage]:
        """Move up to `limit` due pending rows to 'sending', recording `claimed_by` (the
        claiming process, "host:pid"), and return them.

        Rows go in priority order, then by `not_before` and id; at most one row per chat,
        and none for `exclude_chats` (chats busy or waiting for their next slot), so a
        burst to one chat never fills a claim. Due rows for users already marked
        unreachable are marked blocked on the way, without being returned.
        Call inside a write transaction: the choice and the move are atomic, and on
        PostgreSQL the rows chosen are locked, rows another claimer holds passed over.
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
                " WHERE o.status = 'pending' AND o.not_before <= :now"
                f" AND NOT {in_list('o.chat_id', 'excluded')}"
                " ORDER BY o.priority, o.not_before, o.id LIMIT :window"
                + self._dialect.skip_locked("o"),
                {"now": now, "excluded": list_param(excluded), "window": window},
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
                    "UPDATE outbox SET status = 'blocked', error = :error"
                    f" WHERE {in_list('id', 'ids')} AND status = 'pending'",
                    {"error": UNREACHABLE, "ids": list_param(unreachable)},
                )
            if len(chosen) >= limit or len(candidates) < window:
                break
        if not chosen:
            return []
        rows = await self._all(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1,"
            " claimed_by = :claimed_by"
            f" WHERE {in_list('id', 'ids')} AND status = 'pending'"
            f" RETURNING {self._COLUMNS}",
            {"ids": list_param(chosen), "claimed_by": claimed_by},
        )
        claimed = [self._record(row) for row in rows]
        claimed.sort(key=lambda m: (m.priority, m.not_before, m.id))  # RETURNING has no order
        return claimed

    async def mark_sent(self, row_id: int, *, now: int) -> bool:
        """A claimed row was sent; False if it was not being sent."""
        return await self.mark_sent_many([row_id], now=now) > 0

    async def mark_sent_many(self, row_ids: Iterable[int], *, now: int) -> int:
        """Claimed rows were sent; returns how many were being sent."""
        return await self._run(
            "UPDATE outbox SET status = 'sent', sent_at = :now, error = NULL"
            f" WHERE {in_list('id', 'ids')} AND status = 'sending'",
            {"now": now, "ids": list_param(row_ids)},
        )

    async def mark_retry(
        self, row_id: int, not_before: int, error: str | None, *, count_attempt: bool = True
    ) -> bool:
        """Back to pending until `not_before`. `count_attempt=False` takes back the attempt
        the claim counted (a 429, or a row that was never sent)."""
        return await self._changed(
            "UPDATE outbox SET status = 'pending', not_before = :not_before, error = :error,"
            " attempts = attempts - :taken_back WHERE id = :id AND status = 'sending'",
            {
                "not_before": not_before,
                "error": error,
                "taken_back": 0 if count_attempt else 1,
                "id": row_id,
            },
        )

    async def mark_failed(self, row_id: int, error: str) -> bool:
        """A claimed row will not be retried (e.g. Telegram's 400); False if not claimed."""
        return await self._finish(row_id, OutboxStatus.FAILED, error)

    async def mark_blocked(self, row_id: int, error: str) -> bool:
        """A claimed row's user blocked the bot (Telegram's 403); False if not claimed."""
        return await self._finish(row_id, OutboxStatus.BLOCKED, error)

    async def _finish(self, row_id: int, status: OutboxStatus, error: str) -> bool:
        return await self._changed(
            "UPDATE outbox SET status = :status, error = :error"
            " WHERE id = :id AND status = 'sending'",
            {"status": status.value, "error": error, "id": row_id},
        )

    async def release(self, row_ids: Iterable[int], *, claimed_by: str | None = None) -> int:
        """Rows a stopping worker claimed but did not finish: back to pending, and the
        attempt the claim counted is taken back. With `claimed_by` (the worker's
        "host:pid"), only rows it still holds: a leader that lost the lock may stop after
        the next one has put its rows back and claimed them again, and must not hand
        those back to pending while they are being sent (they would go out twice).
        Returns how many rows went back."""
        return await self._run(
            "UPDATE outbox SET status = 'pending',"
            " attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
            f" WHERE {in_list('id', 'ids')} AND status = 'sending'"
            + (" AND claimed_by = :claimed_by" if claimed_by is not None else ""),
            {"ids": list_param(row_ids), "claimed_by": claimed_by},
        )

    async def release_in_flight(self) -> int:
        """Every 'sending' row back to pending: at start-up, after a crash. Assumes one
        worker per database."""
        return await self._run("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")

    # ------------------------------------------------------------------ broadcasts, queries

    async def cancel_broadcast_rows(self, broadcast_id: int) -> int:
        """Pending rows of a broadcast → cancelled; rows being sent finish. Returns how many."""
        return await self._run(
            "UPDATE outbox SET status = 'cancelled'"
            " WHERE broadcast_id = :broadcast_id AND status = 'pending'",
            {"broadcast_id": broadcast_id},
        )

    async def counts_for_broadcast(self, broadcast_id: int) -> dict[OutboxStatus, int]:
        """Rows of a broadcast per status; every status is present (0 if none)."""
        counts = dict.fromkeys(OutboxStatus, 0)
        for status, count in await self._all(
            "SELECT status, count(*) FROM outbox WHERE broadcast_id = :broadcast_id"
            " GROUP BY status",
            {"broadcast_id": broadcast_id},
        ):
            counts[OutboxStatus(status)] = int(count)
        return counts

    async def next_due_at(self) -> int | None:
        """When the earliest pending row falls due (it may be in the past); None if none."""
        value = await self._scalar("SELECT min(not_before) FROM outbox WHERE status = 'pending'")
        return int(value) if value is not None else None

    async def get(self, row_id: int) -> OutboxMessage | None:
        """One row by id, whatever its status."""
        row = await self._one(f"SELECT {self._COLUMNS} FROM outbox WHERE id = :id", {"id": row_id})
        return self._record(row) if row else None

    async def status_counts(self) -> dict[OutboxStatus, int]:
        """Rows per status over the whole queue (monitoring, tests)."""
        counts = dict.fromkeys(OutboxStatus, 0)
        for status, count in await self._all("SELECT status, count(*) FROM outbox GROUP BY status"):
            counts[OutboxStatus(status)] = int(count)
        return counts
