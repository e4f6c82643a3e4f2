"""What the weekly digest reads, for every recipient at once: a handful of queries
whatever the number of users, and the per-user, per-period record of digests queued."""

from __future__ import annotations

from collections.abc import Collection

from bot.domain.digests import (
    AdminPageRow,
    PageChangeRow,
    PageRanks,
    SilentPageRow,
    WeekPageRow,
)
from bot.storage.base import Repository, in_list, list_param, no_limit, qualified
from bot.storage.records import User
from bot.storage.silence import is_silent, silent_since
from bot.storage.users import USER_COLUMNS, user_record

_BATCH = 5_000

# Subscribed, reachable users who coordinate (a superadmin counts) or administer an
# approved page, and whose digest for the period is not queued yet: the next `limit` of
# them by id after `after`, so a run walks them in chunks of bounded memory.
_RECIPIENTS = f"""
SELECT {qualified("u", USER_COLUMNS)}
  FROM users u
 WHERE u.id > :after
   AND u.wants_digest = 1 AND u.reachable = 1
   AND (u.is_coordinator = 1
        OR {in_list("u.id", "superadmins")}
        OR EXISTS (SELECT 1 FROM page_admins a JOIN pages p ON p.id = a.page_id
                    WHERE a.user_id = u.id AND p.status = 'approved'))
   AND NOT EXISTS (SELECT 1 FROM digest_deliveries d
                    WHERE d.user_id = u.id AND d.period = :period)
 ORDER BY u.id
 LIMIT :limit
"""

# Each approved page's rank by its current figure within its theme and within its
# territory, among approved pages that have a figure: one pass of window functions.
# (Without ORDER BY, count(*) covers the whole partition, not a running count.)
_RANKS = """
SELECT id,
       rank() OVER (PARTITION BY theme ORDER BY current_figure DESC),
       count(*) OVER (PARTITION BY theme),
       rank() OVER (PARTITION BY territory_id ORDER BY current_figure DESC),
       count(*) OVER (PARTITION BY territory_id)
  FROM pages
 WHERE status = 'approved' AND current_figure IS NOT NULL
"""

# The pages (not rejected) of the given users, by the index of page_admins on users,
# each with whether it is silent (bot.storage.silence) since before `cutoff`.
_ADMIN_PAGES = f"""
SELECT a.user_id, p.id, p.title, p.status, p.theme, p.territory_id, p.current_figure,
       p.last_report_at, CASE WHEN {is_silent("p", "cutoff")} THEN 1 ELSE 0 END
  FROM page_admins a
  JOIN pages p ON p.id = a.page_id
 WHERE {in_list("a.user_id", "users")} AND p.status <> 'rejected'
 ORDER BY a.user_id, lower(p.title), p.id
"""

# Approved pages that reported since `since` and had a figure before it, with the
# latest report before `since`: one window over those pages' earlier reports.
_WEEK_CHANGES = """
SELECT p.id, p.territory_id, p.title, p.current_figure, b.figure
  FROM (SELECT r.page_id, r.figure,
               row_number() OVER (PARTITION BY r.page_id
                                  ORDER BY r.reported_at DESC, r.id DESC) AS nth
          FROM pages m
          JOIN reports r ON r.page_id = m.id AND r.reported_at < :since
         WHERE m.status = 'approved' AND m.last_report_at >= :since) b
  JOIN pages p ON p.id = b.page_id
 WHERE b.nth = 1
"""

# Pages registered since `since` (not rejected), and pages approved since then.
_WEEK_PAGES = """
SELECT id, title, territory_id, status, created_at, decided_at
  FROM pages
 WHERE status <> 'rejected'
   AND (created_at >= :since OR (status = 'approved' AND decided_at >= :since))
 ORDER BY created_at, id
"""

# Pages silent (bot.storage.silence) since before `cutoff`, the first `per_territory` of
# each territory (longest silent first) with each territory's count.
_SILENT = f"""
SELECT id, title, territory_id, last_report_at, silent
  FROM (SELECT p.id, p.title, p.territory_id, p.last_report_at,
               row_number() OVER (PARTITION BY p.territory_id
                                  ORDER BY {silent_since("p")}, lower(p.title), p.id)
                   AS nth,
               count(*) OVER (PARTITION BY p.territory_id) AS silent
          FROM pages p
         WHERE {is_silent("p", "cutoff")}) s
 WHERE nth <= :per_territory
 ORDER BY territory_id, nth
"""


class DigestRepository(Repository):
    async def recipients(
        self,
        *,
        period: str,
        superadmins: Collection[int],
        after: int = 0,
        limit: int | None = None,
    ) -> list[User]:
        """Who is due a digest for `period`: the first `limit` by id after `after`
        (`limit` None: all of them)."""
        rows = await self._all(
            _RECIPIENTS,
            {
                "period": period,
                "superadmins": list_param(superadmins),
                "after": after,
                "limit": no_limit(limit),
            },
        )
        return [user_record(row) for row in rows]

    async def ranks(self) -> PageRanks:
        """Every approved page's rank within its theme and within its territory."""
        size = await self._scalar("SELECT coalesce(max(id), 0) + 1 FROM pages")
        ranks = PageRanks(int(size) if size is not None else 1)
        # Read in batches straight into the arrays: never a list of every page.
        async for batch in self._batches(_RANKS, size=_BATCH):
            for page_id, *values in batch:
                ranks.set(page_id, values)
        return ranks

    async def admin_pages(self, user_ids: Collection[int], *, cutoff: int) -> list[AdminPageRow]:
        """The users' pages, ordered by user and title; `silent` says whether a page has
        been silent since before `cutoff` (see `bot.storage.silence`)."""
        if not user_ids:
            return []
        rows = await self._all(_ADMIN_PAGES, {"users": list_param(user_ids), "cutoff": cutoff})
        return [
            AdminPageRow(user, page, title, status, theme, territory, figure, last, bool(silent))
            for user, page, title, status, theme, territory, figure, last, silent in rows
        ]

    async def week_changes(self, *, since: int) -> list[PageChangeRow]:
        rows = await self._all(_WEEK_CHANGES, {"since": since})
        return [PageChangeRow(*row) for row in rows]

    async def week_pages(self, *, since: int) -> list[WeekPageRow]:
        rows = await self._all(_WEEK_PAGES, {"since": since})
        return [WeekPageRow(*row) for row in rows]

    async def newcomers(self, *, since: int, until: int) -> list[tuple[str | None, int]]:
        """Users who first came in [since, until) (Unix seconds), counted by source (the
        campaign link's payload; None: directly), most numerous first, then by source (None
        first)."""
        rows = await self._all(
            "SELECT source, count(*) FROM users"
            " WHERE created_at >= :since AND created_at < :until"
            " GROUP BY source ORDER BY count(*) DESC, source NULLS FIRST",
            {"since": since, "until": until},
        )
        return [(None if source is None else str(source), int(count)) for source, count in rows]

    async def silent_pages(self, *, cutoff: int, per_territory: int) -> list[SilentPageRow]:
        rows = await self._all(_SILENT, {"cutoff": cutoff, "per_territory": per_territory})
        return [SilentPageRow(*row) for row in rows]

    async def claim(self, period: str, user_ids: Collection[int], *, now: int) -> set[int]:
        """Record the period's digest for these users; returns those recorded now (not
        before, by an earlier run or another process)."""
        if not user_ids:
            return set()
        rows = await self._all(
            "INSERT INTO digest_deliveries (user_id, period, queued_at)"
            f" SELECT listed.value, :period, :now FROM {self._list_values('users')} AS listed"
            " WHERE true ON CONFLICT (user_id, period) DO NOTHING RETURNING user_id",
            {"period": period, "now": now, "users": list_param(user_ids)},
        )
        return {int(row[0]) for row in rows}
