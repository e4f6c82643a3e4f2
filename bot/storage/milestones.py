"""Milestones reached: each (scope, subject, threshold) once, whatever the figure does next.

Like every repository, this one never commits: a milestone is recorded in the unit of work
of the report or decision that reached it, together with its alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import aiosqlite

#: `subject_id` of the region's own milestones.
REGION_SUBJECT = 0


class MilestoneScope(StrEnum):
    PAGE = "page"
    TERRITORY = "territory"
    REGION = "region"


@dataclass(frozen=True, slots=True)
class Figures:
    """The counted totals (approved pages) at one moment of a unit of work."""

    region: int
    region_pages: int
    territory: int


class MilestoneRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def record(
        self, scope: MilestoneScope | str, subject_id: int, threshold: int, now: int
    ) -> bool:
        """Record a milestone; True when it is new, False when it was reached before."""
        async with self._conn.execute(
            "INSERT OR IGNORE INTO milestones (scope, subject_id, threshold, reached_at)"
            " VALUES (?, ?, ?, ?)",
            (str(scope), subject_id, threshold, now),
        ) as cursor:
            return cursor.rowcount > 0

    async def reached(self, scope: MilestoneScope | str, subject_id: int) -> list[int]:
        """Thresholds recorded for one subject, ascending."""
        async with self._conn.execute(
            "SELECT threshold FROM milestones WHERE scope = ? AND subject_id = ?"
            " ORDER BY threshold",
            (str(scope), subject_id),
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]

    async def figures(self, territory_id: int) -> Figures:
        """The region's and one territory's counted totals, from the maintained sums.

        Read before and after a change in the same unit of work, they tell which
        thresholds the change crossed.
        """
        async with self._conn.execute(
            "SELECT coalesce(sum(subscribers), 0), coalesce(sum(pages), 0),"
            " coalesce(sum(CASE WHEN territory_id = ? THEN subscribers END), 0)"
            " FROM segment_totals",
            (territory_id,),
        ) as cursor:
            row = await cursor.fetchone()
        assert row is not None
        return Figures(region=int(row[0]), region_pages=int(row[1]), territory=int(row[2]))
