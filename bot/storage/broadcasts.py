"""Coordinators' broadcasts: one row each; their messages live in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiosqlite


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    author_id: int
    source_chat_id: int
    source_message_id: int
    segment: str
    territory_scope: int | None
    status: str
    recipients: int
    created_at: int
    finished_at: int | None
    progress_chat_id: int | None
    progress_message_id: int | None
    items: int = 1  # messages each recipient gets: an album's items, else 1


_COLUMNS = (
    "id, author_id, source_chat_id, source_message_id, segment, territory_scope, status,"
    " recipients, created_at, finished_at, progress_chat_id, progress_message_id, items"
)


class BroadcastRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[Broadcast]:
        async with self._conn.execute(sql, params) as cursor:
            return [Broadcast(*row) for row in await cursor.fetchall()]

    async def create(
        self,
        *,
        author_id: int,
        source_chat_id: int,
        source_message_id: int,
        segment: str,
        territory_scope: int | None,
        recipients: int,
        now: int,
        items: int = 1,
    ) -> int:
        """A broadcast being sent; `items`: messages each recipient gets (an album's items)."""
        async with self._conn.execute(
            "INSERT INTO broadcasts (author_id, source_chat_id, source_message_id, segment,"
            " territory_scope, status, recipients, created_at, items)"
            " VALUES (?, ?, ?, ?, ?, 'sending', ?, ?, ?) RETURNING id",
            (
                author_id,
                source_chat_id,
                source_message_id,
                segment,
                territory_scope,
                recipients,
                now,
                items,
            ),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return int(row[0])

    async def get(self, broadcast_id: int) -> Broadcast | None:
        rows = await self._rows(f"SELECT {_COLUMNS} FROM broadcasts WHERE id = ?", (broadcast_id,))
        return rows[0] if rows else None

    async def sending(self) -> list[Broadcast]:
        return await self._rows(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status = 'sending' ORDER BY id"
        )

    async def recent(self, *, territory_scope: int | None, limit: int | None) -> list[Broadcast]:
        """Broadcasts newest first, those of one territory scope if given; `limit` None:
        all of them."""
        return await self._rows(
            f"SELECT {_COLUMNS} FROM broadcasts"
            " WHERE ?1 IS NULL OR territory_scope = ?1 ORDER BY id DESC LIMIT ?2",
            (territory_scope, -1 if limit is None else limit),
        )

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._conn.execute(
            "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
            (chat_id, message_id, broadcast_id),
        )

    async def finish(self, broadcast_id: int, *, status: str, now: int) -> bool:
        async with self._conn.execute(
            "UPDATE broadcasts SET status = ?, finished_at = ? WHERE id = ? AND status = 'sending'",
            (status, now, broadcast_id),
        ) as cursor:
            return cursor.rowcount > 0
