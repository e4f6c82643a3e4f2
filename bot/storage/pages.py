"""Pages and their administrators: registration, moderation, the current figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.catalog import PageStatus
from bot.storage.base import Repository, columns, from_row, given, insert_sql, no_limit, qualified
from bot.storage.records import Page

#: The columns `page_record` reads, of `pages` aliased `p`.
PAGE_COLUMNS = qualified("p", columns(Page))


def page_record(row: Sequence[Any]) -> Page:
    """A page from a row of `PAGE_COLUMNS`."""
    return from_row(Page, row, status=PageStatus)


class PageRepository(Repository):
    async def create(
        self,
        *,
        link_key: str,
        url: str,
        platform: str,
        title: str,
        territory_id: int,
        level: str,
        theme: str,
        created_by: int | None,
        now: int,
    ) -> int:
        """A pending page, its creator its first administrator; returns its id.
        `created_by` None: a page of the imported registry, nobody's yet (unclaimed)."""
        page_id = await self._insert(
            "pages",
            {
                "link_key": link_key,
                "url": url,
                "platform": platform,
                "title": title,
                "territory_id": territory_id,
                "level": level,
                "theme": theme,
                "status": PageStatus.PENDING.value,
                "created_by": created_by,
                "created_at": now,
                "changed_at": now,
            },
        )
        if created_by is not None:
            await self.add_admin(page_id, created_by, now=now)
        return page_id

    async def get(self, page_id: int) -> Page | None:
        """One page by id, whatever its status."""
        row = await self._one(
            f"SELECT {PAGE_COLUMNS} FROM pages p WHERE p.id = :id", {"id": page_id}
        )
        return page_record(row) if row else None

    async def by_link_key(self, link_key: str) -> Page | None:
        """The page (not rejected) registered under a normalised link."""
        row = await self._one(
            f"SELECT {PAGE_COLUMNS} FROM pages p"
            " WHERE p.link_key = :link_key AND p.status <> 'rejected'",
            {"link_key": link_key},
        )
        return page_record(row) if row else None

    async def of_admin(self, user_id: int) -> list[Page]:
        """The user's pages (not rejected), by title."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS} FROM pages p JOIN page_admins a ON a.page_id = p.id"
            " WHERE a.user_id = :user_id AND p.status <> 'rejected'"
            " ORDER BY lower(p.title), p.id",
            {"user_id": user_id},
        )
        return [page_record(row) for row in rows]

    async def administers_any(self, user_id: int) -> bool:
        """Whether the user administers at least one page."""
        found = await self._scalar(
            "SELECT 1 FROM page_admins WHERE user_id = :user_id LIMIT 1", {"user_id": user_id}
        )
        return found is not None

    async def is_admin(self, page_id: int, user_id: int) -> bool:
        """Whether the user administers this page."""
        found = await self._scalar(
            "SELECT 1 FROM page_admins WHERE page_id = :page_id AND user_id = :user_id",
            {"page_id": page_id, "user_id": user_id},
        )
        return found is not None

    async def admin_ids(self, page_id: int) -> list[int]:
        """The page's administrators, in the order they joined."""
        rows = await self._all(
            "SELECT user_id FROM page_admins WHERE page_id = :page_id ORDER BY added_at",
            {"page_id": page_id},
        )
        return [int(row[0]) for row in rows]

    async def add_admin(self, page_id: int, user_id: int, *, now: int) -> bool:
        """Make the user an administrator of the page; False if they were one already."""
        return await self._changed(
            "INSERT INTO page_admins (page_id, user_id, added_at)"
            " VALUES (:page_id, :user_id, :now) ON CONFLICT DO NOTHING",
            {"page_id": page_id, "user_id": user_id, "now": now},
        )

    async def remove_admin(self, page_id: int, user_id: int, *, now: int) -> bool:
        """The user stops administering the page at `now` (Unix seconds), recorded in
        `page_departures` (what makes a page without administrators orphaned rather than
        unclaimed, see `bot.domain.claims`); False if they did not administer it."""
        removed = await self._changed(
            "DELETE FROM page_admins WHERE page_id = :page_id AND user_id = :user_id",
            {"page_id": page_id, "user_id": user_id},
        )
        if removed:
            await self._run(
                insert_sql("page_departures", ("page_id", "user_id", "left_at")),
                {"page_id": page_id, "user_id": user_id, "left_at": now},
            )
        return removed

    async def pending(
        self, *, territory_id: int | None, limit: int | None, offset: int = 0
    ) -> list[Page]:
        """Pages waiting for a decision, oldest first, optionally in one territory;
        `limit` None: all of them."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS} FROM pages p WHERE p.status = 'pending'"
            f"{given(territory_id, 'p.territory_id = :territory_id')}"
            " ORDER BY p.created_at, p.id LIMIT :limit OFFSET :offset",
            {"territory_id": territory_id, "limit": no_limit(limit), "offset": offset},
        )
        return [page_record(row) for row in rows]

    async def count_pending(self, *, territory_id: int | None) -> int:
        """How many pages wait for a decision, optionally in one territory."""
        return int(
            await self._scalar(
                "SELECT count(*) FROM pages WHERE status = 'pending'"
                f"{given(territory_id, 'territory_id = :territory_id')}",
                {"territory_id": territory_id},
            )
        )

    async def decide(
        self,
        page_id: int,
        *,
        status: PageStatus,
        reason: str | None,
        decided_by: int,
        now: int,
    ) -> bool:
        """Approve or reject a pending page; False if it was not pending any more."""
        return await self._changed(
            "UPDATE pages SET status = :status, reject_reason = :reason,"
            " decided_by = :decided_by, decided_at = :now, changed_at = :now"
            " WHERE id = :id AND status = 'pending'",
            {
                "status": status.value,
                "reason": reason,
                "decided_by": decided_by,
                "now": now,
                "id": page_id,
            },
        )

    async def set_current_figure(self, page_id: int, figure: int, *, now: int) -> None:
        """The page's figure now (the triggers carry it into the totals)."""
        await self._run(
            "UPDATE pages SET current_figure = :figure, reported_figure = :figure,"
            " last_report_at = :now,"
            " changed_at = :now WHERE id = :id",
            {"figure": figure, "now": now, "id": page_id},
        )
