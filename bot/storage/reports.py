"""Subscriber figures administrators report, each stored once per Telegram update."""

from __future__ import annotations

from bot.storage.base import Repository, no_limit
from bot.storage.records import Report

_COLUMNS = "id, page_id, figure, reported_at, reported_by"


class ReportRepository(Repository):
    async def add(
        self,
        *,
        page_id: int,
        figure: int,
        reported_by: int,
        update_id: int | None,
        now: int,
        chat_id: int | None = None,
        message_id: int | None = None,
    ) -> int | None:
        """Store a report; None when this update was stored before (a redelivery).
        `chat_id` and `message_id` name the message that carried the figure."""
        report_id = await self._scalar(
            "INSERT INTO reports"
            " (page_id, figure, reported_at, reported_by, update_id, chat_id, message_id)"
            " VALUES (:page_id, :figure, :now, :reported_by, :update_id, :chat_id, :message_id)"
            " ON CONFLICT (reported_by, update_id) DO NOTHING RETURNING id",
            {
                "page_id": page_id,
                "figure": figure,
                "now": now,
                "reported_by": reported_by,
                "update_id": update_id,
                "chat_id": chat_id,
                "message_id": message_id,
            },
        )
        return int(report_id) if report_id is not None else None

    async def from_message(self, *, chat_id: int, message_id: int, user_id: int) -> Report | None:
        """The report the user stored from this message, if any (the latest, should a
        message ever have carried two)."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM reports"
            " WHERE chat_id = :chat_id AND message_id = :message_id AND reported_by = :user_id"
            " ORDER BY id DESC LIMIT 1",
            {"chat_id": chat_id, "message_id": message_id, "user_id": user_id},
        )
        return Report(*row) if row else None

    async def history(self, page_id: int, *, limit: int | None) -> list[Report]:
        """A page's reports, newest first; `limit` None: all of them."""
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM reports"
            " WHERE page_id = :page_id ORDER BY reported_at DESC, id DESC LIMIT :limit",
            {"page_id": page_id, "limit": no_limit(limit)},
        )
        return [Report(*row) for row in rows]
