"""What growth charts read: daily totals, the live aggregates, a page's report history."""

from __future__ import annotations

import aiosqlite


class ChartRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def daily(
        self, *, since_day: str, before_day: str, territory_id: int | None = None
    ) -> list[tuple[str, int]]:
        """(day, subscribers summed over the segments) for since_day <= day < before_day,
        of the whole region or of one territory; days without a snapshot are absent."""
        async with self._conn.execute(
            "SELECT day, sum(subscribers) FROM daily_totals"
            " WHERE day >= ?1 AND day < ?2 AND (?3 IS NULL OR territory_id = ?3)"
            " GROUP BY day ORDER BY day",
            (since_day, before_day, territory_id),
        ) as cursor:
            return [(str(day), int(value)) for day, value in await cursor.fetchall()]

    async def live(self, *, territory_id: int | None = None) -> int:
        """The counted total now, from the aggregates the triggers maintain."""
        async with self._conn.execute(
            "SELECT coalesce(sum(subscribers), 0) FROM segment_totals"
            " WHERE pages > 0 AND (?1 IS NULL OR territory_id = ?1)",
            (territory_id,),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row is not None else 0

    async def figure_before(self, page_id: int, before: int) -> int | None:
        """The page's latest reported figure before a moment."""
        async with self._conn.execute(
            "SELECT figure FROM reports WHERE page_id = ? AND reported_at < ?"
            " ORDER BY reported_at DESC, id DESC LIMIT 1",
            (page_id, before),
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row is not None else None

    async def reports_since(self, page_id: int, since: int) -> list[tuple[int, int]]:
        """(reported_at, figure) of the page's reports from a moment on, oldest first."""
        async with self._conn.execute(
            "SELECT reported_at, figure FROM reports WHERE page_id = ? AND reported_at >= ?"
            " ORDER BY reported_at, id",
            (page_id, since),
        ) as cursor:
            return [(int(at), int(figure)) for at, figure in await cursor.fetchall()]
