"""Who looks after each page: its administrators' reachability, who left it and when, and
the orphaned pages (the rule of `bot.domain.claims`, in SQL).

A page is orphaned when it is approved, none of its administrators can be reached, and
it has lost at least one: an administrator who left (`page_departures.left_at`) or one
Telegram no longer reaches (`users.unreachable_since`). Its latest loss names the last
administrator and the date it became orphaned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.domain.claims import Keepers
from bot.storage.base import Repository, given, no_limit, qualified
from bot.storage.pages import PAGE_COLUMNS, page_record
from bot.storage.records import Page, User
from bot.storage.users import USER_COLUMNS, user_record


@dataclass(frozen=True, slots=True)
class Orphan:
    """An orphaned page, its last administrator, and since when (Unix seconds) it has
    had nobody: the day they left (`left`) or became unreachable (not `left`)."""

    page: Page
    last_admin: User
    since: int
    left: bool


# Every loss of an administrator: one who left, or one who is still listed but whom
# Telegram no longer reaches (seen_at stands in for a date the bot never recorded).
_LOSSES = """
SELECT d.page_id, d.user_id, d.left_at AS lost_at, 1 AS departed FROM page_departures d
UNION ALL
SELECT a.page_id, a.user_id, coalesce(u.unreachable_since, u.seen_at), 0
  FROM users u JOIN page_admins a ON a.user_id = u.id
 WHERE u.reachable = 0
"""

# Each page's latest loss (lost_at, then the later user id, decides).
_LATEST_LOSS = f"""
SELECT page_id, user_id, lost_at, departed
  FROM (SELECT page_id, user_id, lost_at, departed,
               row_number() OVER (PARTITION BY page_id ORDER BY lost_at DESC, user_id DESC)
                   AS nth
          FROM ({_LOSSES}) losses) ranked
 WHERE nth = 1
"""


# Page `p` is approved, in the territory asked for (None: any), and nobody reachable
# administers it. With a loss joined, it is orphaned. The queries below start from the
# losses, a few rows, and look the pages up: `losses CROSS JOIN pages WHERE ...` (an
# ordinary join to PostgreSQL) keeps SQLite from scanning every approved page instead.
def _nobody_reachable(territory_id: int | None) -> str:
    return f"""
p.status = 'approved'{given(territory_id, "p.territory_id = :territory_id")}
AND NOT EXISTS (SELECT 1 FROM page_admins a JOIN users u ON u.id = a.user_id
                 WHERE a.page_id = p.id AND u.reachable = 1)
"""


_PAGE_FIELDS = len(PAGE_COLUMNS.split(","))


def _orphan(row: tuple[Any, ...]) -> Orphan:
    """An orphan from a row of PAGE_COLUMNS, USER_COLUMNS, lost_at, departed."""
    return Orphan(
        page=page_record(row[:_PAGE_FIELDS]),
        last_admin=user_record(row[_PAGE_FIELDS:-2]),
        since=int(row[-2]),
        left=bool(row[-1]),
    )


class OrphanRepository(Repository):
    async def keepers(self, page_id: int) -> Keepers:
        """The page's administrators by reachability, and how many left it ever."""
        row = await self._one(
            "SELECT coalesce(sum(CASE WHEN u.reachable = 1 THEN 1 ELSE 0 END), 0),"
            " coalesce(sum(CASE WHEN u.reachable = 1 THEN 0 ELSE 1 END), 0),"
            " (SELECT count(*) FROM page_departures d WHERE d.page_id = :page_id)"
            " FROM page_admins a JOIN users u ON u.id = a.user_id WHERE a.page_id = :page_id",
            {"page_id": page_id},
        )
        assert row is not None  # an aggregate without GROUP BY always has its row
        return Keepers(reachable=int(row[0]), unreachable=int(row[1]), departed=int(row[2]))

    async def listed(self, *, territory_id: int | None, limit: int | None) -> list[Orphan]:
        """Orphaned pages (in `territory_id` when given), the most recently orphaned
        first; `limit` None: all of them."""
        rows = await self._all(
            f"SELECT {PAGE_COLUMNS}, {qualified('u', USER_COLUMNS)}, l.lost_at, l.departed"
            f" FROM ({_LATEST_LOSS}) l CROSS JOIN pages p"
            " JOIN users u ON u.id = l.user_id"
            f" WHERE p.id = l.page_id AND {_nobody_reachable(territory_id)}"
            " ORDER BY l.lost_at DESC, p.id DESC LIMIT :limit",
            {"territory_id": territory_id, "limit": no_limit(limit)},
        )
        return [_orphan(row) for row in rows]

    async def count(self, *, territory_id: int | None) -> int:
        """How many pages are orphaned (in `territory_id` when given). Only pages that
        lost an administrator are looked at: the count costs little however many pages
        there are."""
        return int(
            await self._scalar(
                f"SELECT count(*) FROM (SELECT DISTINCT page_id FROM ({_LOSSES}) losses) l"
                f" CROSS JOIN pages p WHERE p.id = l.page_id AND {_nobody_reachable(territory_id)}",
                {"territory_id": territory_id},
            )
        )

    async def unclaimed(self, *, territory_id: int | None) -> int:
        """How many approved pages (in `territory_id` when given) never had an
        administrator: pages of the imported registry nobody has claimed yet
        (`bot.domain.claims.Custody.UNCLAIMED`)."""
        return int(
            await self._scalar(
                # created_by IS NULL: only imported pages can have had nobody (and
                # index pages_unclaimed holds just those).
                f"SELECT count(*) FROM pages p{self._dialect.indexed_by('pages_unclaimed')}"
                " WHERE p.status = 'approved' AND p.created_by IS NULL"
                f"{given(territory_id, 'p.territory_id = :territory_id')}"
                " AND NOT EXISTS (SELECT 1 FROM page_admins a WHERE a.page_id = p.id)"
                " AND NOT EXISTS (SELECT 1 FROM page_departures d WHERE d.page_id = p.id)",
                {"territory_id": territory_id},
            )
        )

    async def became(self, *, since: int, until: int) -> dict[int, int]:
        """Territory → how many of the pages orphaned now became orphaned in
        [since, until) (Unix seconds): their latest loss falls in it."""
        rows = await self._all(
            "SELECT p.territory_id, count(*)"
            f" FROM ({_LATEST_LOSS}) l CROSS JOIN pages p"
            " WHERE p.id = l.page_id AND l.lost_at >= :since AND l.lost_at < :until"
            f" AND {_nobody_reachable(None)}"
            " GROUP BY p.territory_id",
            {"since": since, "until": until},
        )
        return {int(territory): int(count) for territory, count in rows}
