"""What growth charts read: daily totals, the live aggregates, a page's report history."""

from __future__ import annotations

from bot.storage.base import Repository, given


class ChartRepository(Repository):
    async def daily(
        self, *, since_day: str, before_day: str, territory_id: int | None = None
    ) -> list[tuple[str, int]]:
        """(day, subscribers summed over the segments) for since_day <= day < before_day,
        of the whole region or of one territory; days without a snapshot are absent."""
        rows = await self._all(
            "SELECT day, sum(subscribers) FROM daily_totals"
            " WHERE day >= :since AND day < :before"
            f"{given(territory_id, 'territory_id = :territory_id')}"
            " GROUP BY day ORDER BY day",
            {"since": since_day, "before": before_day, "territory_id": territory_id},
        )
        return [(str(day), int(value)) for day, value in rows]

    async def live(self, *, territory_id: int | None = None) -> int:
        """The counted total now, from the aggregates the triggers maintain."""
        found = await self._scalar(
            "SELECT coalesce(sum(subscribers), 0) FROM segment_totals"
            f" WHERE pages > 0{given(territory_id, 'territory_id = :territory_id')}",
            {"territory_id": territory_id},
        )
        return int(found) if found is not None else 0

    async def figure_before(self, page_id: int, before: int) -> int | None:
        """The page's latest reported figure before a moment."""
        found = await self._scalar(
            "SELECT figure FROM reports WHERE page_id = :page_id AND reported_at < :before"
            " ORDER BY reported_at DESC, id DESC LIMIT 1",
            {"page_id": page_id, "before": before},
        )
        return int(found) if found is not None else None

    async def reports_since(self, page_id: int, since: int) -> list[tuple[int, int]]:
        """(reported_at, figure) of the page's reports from a moment on, oldest first."""
        rows = await self._all(
            "SELECT reported_at, figure FROM reports"
            " WHERE page_id = :page_id AND reported_at >= :since ORDER BY reported_at, id",
            {"page_id": page_id, "since": since},
        )
        return [(int(at), int(figure)) for at, figure in rows]
