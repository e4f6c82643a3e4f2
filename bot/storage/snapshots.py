"""Daily totals per segment, computed from the report history."""

from __future__ import annotations

from bot.storage.base import Repository

# The figure of each page approved before the end of the day is its latest report
# before then; pages with no report yet count with 0.
_SNAPSHOT = """
INSERT INTO daily_totals (day, territory_id, level, theme, platform, pages, subscribers)
SELECT :day, p.territory_id, p.level, p.theme, p.platform, count(*),
       coalesce(sum((SELECT r.figure FROM reports r
                      WHERE r.page_id = p.id AND r.reported_at < :end
                      ORDER BY r.reported_at DESC, r.id DESC LIMIT 1)), 0)
  FROM pages p
 WHERE p.status = 'approved' AND p.decided_at < :end
 GROUP BY p.territory_id, p.level, p.theme, p.platform
"""


class SnapshotRepository(Repository):
    async def replace_day(self, day: str, end: int) -> None:
        """(Re)compute one day's totals per segment; `end`: the day's end (Unix seconds)."""
        await self._run("DELETE FROM daily_totals WHERE day = :day", {"day": day})
        await self._run(_SNAPSHOT, {"day": day, "end": end})

    async def last_day(self) -> str | None:
        """The latest day with a snapshot, if any."""
        found = await self._scalar("SELECT max(day) FROM daily_totals")
        return str(found) if found is not None else None

    async def first_activity(self) -> int | None:
        """When the first page was approved: nothing to snapshot before that."""
        found = await self._scalar("SELECT min(decided_at) FROM pages WHERE status = 'approved'")
        return int(found) if found is not None else None

    async def region_series(self, since_day: str) -> list[tuple[str, int, int]]:
        """(day, pages, subscribers) of the whole region from `since_day` on."""
        rows = await self._all(
            "SELECT day, sum(pages), sum(subscribers) FROM daily_totals WHERE day >= :since"
            " GROUP BY day ORDER BY day",
            {"since": since_day},
        )
        return [(str(d), int(p), int(s)) for d, p, s in rows]
