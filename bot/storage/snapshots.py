"""Daily totals per segment, computed from the report history."""

from __future__ import annotations

import aiosqlite

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


class SnapshotRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def replace_day(self, day: str, end: int) -> None:
        await self._conn.execute("DELETE FROM daily_totals WHERE day = ?", (day,))
        await self._conn.execute(_SNAPSHOT, {"day": day, "end": end})

    async def last_day(self) -> str | None:
        async with self._conn.execute("SELECT max(day) FROM daily_totals") as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row and row[0] is not None else None

    async def first_activity(self) -> int | None:
        """When the first page was approved: nothing to snapshot before that."""
        async with self._conn.execute(
            "SELECT min(decided_at) FROM pages WHERE status = 'approved'"
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else None

    async def region_series(self, since_day: str) -> list[tuple[str, int, int]]:
        """(day, pages, subscribers) of the whole region from `since_day` on."""
        async with self._conn.execute(
            "SELECT day, sum(pages), sum(subscribers) FROM daily_totals WHERE day >= ?"
            " GROUP BY day ORDER BY day",
            (since_day,),
        ) as cursor:
            return [(str(d), int(p), int(s)) for d, p, s in await cursor.fetchall()]
