"""Report reminders: which silent pages' administrators are due one, and when each page
was last reminded about."""

from __future__ import annotations

from bot.storage.base import Repository, qualified
from bot.storage.pages import PAGE_COLUMNS, page_record
from bot.storage.records import Page, User
from bot.storage.silence import is_silent
from bot.storage.users import USER_COLUMNS, user_record

_PAGE_WIDTH = len(PAGE_COLUMNS.split(","))


class ReminderRepository(Repository):
    async def due(self, *, since: int) -> list[tuple[Page, list[User]]]:
        """Pages silent (see `bot.storage.silence`) since before `since`, not collected
        from their platform since then (bot.storage.observations) and not reminded since
        then, with their reachable administrators who want reminders."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS}, {qualified('u', USER_COLUMNS)}"
            " FROM pages p"
            " JOIN page_admins a ON a.page_id = p.id"
            " JOIN users u ON u.id = a.user_id"
            " LEFT JOIN report_reminders rr ON rr.page_id = p.id"
            f" WHERE {is_silent('p', 'since')}"
            # Collected from its platform since: nobody needs to type its figure.
            " AND (p.observed_at IS NULL OR p.observed_at < :since)"
            " AND (rr.last_sent_at IS NULL OR rr.last_sent_at < :since)"
            " AND u.reachable = 1 AND u.wants_reminders = 1"
            " ORDER BY p.id, u.id",
            {"since": since},
        )
        due: dict[int, tuple[Page, list[User]]] = {}
        for row in rows:
            page = page_record(row[:_PAGE_WIDTH])
            due.setdefault(page.id, (page, []))[1].append(user_record(row[_PAGE_WIDTH:]))
        return list(due.values())

    async def mark_sent(self, page_id: int, *, now: int) -> None:
        """Remember that the page's administrators were reminded now."""
        await self._run(
            "INSERT INTO report_reminders (page_id, last_sent_at) VALUES (:page_id, :now)"
            " ON CONFLICT (page_id) DO UPDATE SET last_sent_at = excluded.last_sent_at",
            {"page_id": page_id, "now": now},
        )
