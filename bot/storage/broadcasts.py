"""Coordinators' broadcasts: one row each; their messages live in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.storage.base import Repository, columns, from_row, no_limit


class BroadcastStatus(StrEnum):
    """A broadcast is being sent until nothing is left: then done, or cancelled if stopped."""

    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Broadcast:
    id: int
    author_id: int
    source_chat_id: int
    source_message_id: int
    segment: str
    territory_scope: int | None
    status: BroadcastStatus
    recipients: int
    created_at: int
    finished_at: int | None
    progress_chat_id: int | None
    progress_message_id: int | None
    items: int = 1  # messages each recipient gets: an album's items, else 1


_COLUMNS = columns(Broadcast)


def _broadcast(row: Sequence[Any]) -> Broadcast:
    return from_row(Broadcast, row, status=BroadcastStatus)


class BroadcastRepository(Repository):
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
        return await self._insert(
            "broadcasts",
            {
                "author_id": author_id,
                "source_chat_id": source_chat_id,
                "source_message_id": source_message_id,
                "segment": segment,
                "territory_scope": territory_scope,
                "status": BroadcastStatus.SENDING.value,
                "recipients": recipients,
                "created_at": now,
                "items": items,
            },
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """One broadcast by id."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE id = :id", {"id": broadcast_id}
        )
        return _broadcast(row) if row else None

    async def sending(self) -> list[Broadcast]:
        """Broadcasts still being sent, oldest first."""
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM broadcasts WHERE status = :sending ORDER BY id",
            {"sending": BroadcastStatus.SENDING.value},
        )
        return [_broadcast(row) for row in rows]

    async def recent(self, *, territory_scope: int | None, limit: int | None) -> list[Broadcast]:
        """Broadcasts newest first, those of one territory scope if given; `limit` None:
        all of them."""
        scoped = " WHERE territory_scope = :scope" if territory_scope is not None else ""
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM broadcasts{scoped} ORDER BY id DESC LIMIT :limit",
            {"scope": territory_scope, "limit": no_limit(limit)},
        )
        return [_broadcast(row) for row in rows]

    async def set_progress_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        """The message that shows the broadcast's progress to its author."""
        await self._run(
            "UPDATE broadcasts SET progress_chat_id = :chat_id, progress_message_id = :message_id"
            " WHERE id = :id",
            {"chat_id": chat_id, "message_id": message_id, "id": broadcast_id},
        )

    async def finish(self, broadcast_id: int, *, status: BroadcastStatus, now: int) -> bool:
        """Close a broadcast being sent; False if it was closed already."""
        return await self._changed(
            "UPDATE broadcasts SET status = :status, finished_at = :now"
            " WHERE id = :id AND status = :sending",
            {
                "status": status.value,
                "sending": BroadcastStatus.SENDING.value,
                "now": now,
                "id": broadcast_id,
            },
        )
