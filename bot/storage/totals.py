"""Regional totals from the aggregates the triggers maintain, and their hourly changes."""

from __future__ import annotations

from bot.storage.base import Repository
from bot.storage.records import Breakdown, SegmentTotal

_HOUR = 3600


class TotalsRepository(Repository):
    async def segments(self) -> list[SegmentTotal]:
        """Every segment (territory, level, theme, platform) with approved pages."""
        rows = await self._all(
            "SELECT territory_id, level, theme, platform, pages, subscribers"
            " FROM segment_totals WHERE pages > 0"
        )
        return [SegmentTotal(*row) for row in rows]

    async def breakdowns(self) -> list[Breakdown]:
        """Pages and subscribers per territory, level, theme and platform, in one query.

        The database sums the few thousand segment rows itself, so only ~50 rows reach
        Python.
        """
        rows = await self._all(
            " UNION ALL ".join(
                f"SELECT '{dimension}', CAST({dimension}{suffix} AS TEXT), sum(pages),"
                f" sum(subscribers) FROM segment_totals WHERE pages > 0 GROUP BY 2"
                for dimension, suffix in (
                    ("territory", "_id"),
                    ("level", ""),
                    ("theme", ""),
                    ("platform", ""),
                )
            )
        )
        return [Breakdown(*row) for row in rows]

    async def changes(self, *, week_since: int, month_since: int) -> dict[int, tuple[int, int]]:
        """Change of the counted total per territory since two moments, in one pass.

        Returns {territory_id: (change since week_since, change since month_since)}.
        The ledger is hourly: changes within the hour of a moment count as before it.
        """
        rows = await self._all(
            "SELECT territory_id, sum(CASE WHEN hour > :week THEN delta ELSE 0 END), sum(delta)"
            " FROM total_changes WHERE hour > :month GROUP BY territory_id",
            {"week": week_since // _HOUR, "month": month_since // _HOUR},
        )
        return {int(territory): (int(week), int(month)) for territory, week, month in rows}
