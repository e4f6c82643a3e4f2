"""Milestones reached: each (scope, subject, threshold) once, whatever the figure does next.

Like every repository, this one never commits: a milestone is recorded in the unit of work
of the report or decision that reached it, together with its alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.storage.base import Repository

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


class MilestoneRepository(Repository):
    async def record(
        self, scope: MilestoneScope | str, subject_id: int, threshold: int, now: int
    ) -> bool:
        """Record a milestone; True when it is new, False when it was reached before."""
        return await self._changed(
            "INSERT INTO milestones (scope, subject_id, threshold, reached_at)"
            " VALUES (:scope, :subject_id, :threshold, :now)"
            " ON CONFLICT (scope, subject_id, threshold) DO NOTHING",
            {"scope": str(scope), "subject_id": subject_id, "threshold": threshold, "now": now},
        )

    async def reached(self, scope: MilestoneScope | str, subject_id: int) -> list[int]:
        """Thresholds recorded for one subject, ascending."""
        rows = await self._all(
            "SELECT threshold FROM milestones WHERE scope = :scope AND subject_id = :subject_id"
            " ORDER BY threshold",
            {"scope": str(scope), "subject_id": subject_id},
        )
        return [int(row[0]) for row in rows]

    async def figures(self, territory_id: int) -> Figures:
        """The region's and one territory's counted totals, from the maintained sums.

        Read before and after a change in the same unit of work, they tell which
        thresholds the change crossed.
        """
        row = await self._one(
            "SELECT coalesce(sum(subscribers), 0), coalesce(sum(pages), 0),"
            " coalesce(sum(CASE WHEN territory_id = :territory_id THEN subscribers END), 0)"
            " FROM segment_totals",
            {"territory_id": territory_id},
        )
        assert row is not None
        return Figures(region=int(row[0]), region_pages=int(row[1]), territory=int(row[2]))
