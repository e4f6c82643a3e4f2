"""Training figures read from seminars, registrations, attendance, feedback and pages.

Aggregates are computed by the database; the seminars a figure covers are chosen by the
service (a coordinator's scope is a rule on each seminar's audience) and passed as a
list parameter. "Trained" has one rule, `has_trained_admin`, shared with the broadcast
segment of pages with no trained administrator (`bot.storage.audience`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.segments import Segment
from bot.domain.training import Coverage, SeminarFigures
from bot.storage.base import Repository, in_list, list_param


def has_trained_admin(page: str, at: str | None = None) -> str:
    """SQL condition: the page aliased `page` has a current administrator (page_admins)
    with an attendance row for a seminar that was not cancelled; with `at` (a parameter
    name, Unix seconds), counting only administrators added and attendance marked by then.
    """
    by_then = f" AND a.added_at <= :{at} AND t.marked_at <= :{at}" if at else ""
    return (
        "EXISTS (SELECT 1 FROM page_admins a"
        " JOIN seminar_attendance t ON t.user_id = a.user_id"
        " JOIN seminars s ON s.id = t.seminar_id"
        f" WHERE a.page_id = {page}.id AND s.cancelled_at IS NULL{by_then})"
    )


@dataclass(frozen=True, slots=True)
class SeminarRef:
    """A seminar as the training figures and segments need it."""

    id: int
    title: str
    starts_at: int
    segment: Segment


_FIGURES = f"""
SELECT
  (SELECT count(*) FROM seminars WHERE {in_list("id", "seminars")}),
  (SELECT coalesce(sum(academic_hours), 0) FROM seminars WHERE {in_list("id", "seminars")}),
  (SELECT count(DISTINCT user_id) FROM seminar_attendance
    WHERE {in_list("seminar_id", "seminars")}),
  (SELECT coalesce(sum(s.academic_hours), 0)
     FROM seminar_attendance t JOIN seminars s ON s.id = t.seminar_id
    WHERE {in_list("t.seminar_id", "seminars")}),
  (SELECT count(*) FROM seminar_registrations WHERE {in_list("seminar_id", "seminars")}),
  (SELECT count(*) FROM seminar_registrations r
    WHERE {in_list("r.seminar_id", "seminars")}
      AND EXISTS (SELECT 1 FROM seminar_attendance t
                   WHERE t.seminar_id = r.seminar_id AND t.user_id = r.user_id)),
  (SELECT count(rating) FROM seminar_feedback WHERE {in_list("seminar_id", "seminars")}),
  (SELECT coalesce(sum(rating), 0) FROM seminar_feedback
    WHERE {in_list("seminar_id", "seminars")})
"""


def _coverage_sql(scoped: bool) -> str:
    """Approved (by `at`) pages per territory and how many have a trained administrator
    by then; worst share first, then the larger territory, then the territories' order.
    `scoped`: only the territory `:territory`. The condition is left out for the region
    rather than written as a parameter tested against NULL, which PostgreSQL (asyncpg)
    cannot type."""
    territory = " AND p.territory_id = :territory" if scoped else ""
    return f"""
SELECT p.territory_id, count(*) AS pages,
       sum(CASE WHEN {has_trained_admin("p", "at")} THEN 1 ELSE 0 END) AS covered
  FROM pages p
  JOIN territories tr ON tr.id = p.territory_id
 WHERE p.status = 'approved' AND p.decided_at <= :at{territory}
 GROUP BY p.territory_id, tr.sort
 ORDER BY sum(CASE WHEN {has_trained_admin("p", "at")} THEN 1 ELSE 0 END) * 1.0 / count(*),
          count(*) DESC, tr.sort, p.territory_id
"""


_COVERAGE = {scoped: _coverage_sql(scoped) for scoped in (False, True)}


class TrainingRepository(Repository):
    """Training figures: seminars held or started in a span, their aggregates and the
    coverage of approved pages by trained administrators."""

    async def ended_between(self, since: int, until: int) -> list[SeminarRef]:
        """Seminars not cancelled that ended in [since, until), in the order they ended."""
        rows = await self._all(
            "SELECT id, title, starts_at, segment FROM seminars"
            " WHERE cancelled_at IS NULL"
            " AND starts_at + duration_minutes * 60 >= :since"
            " AND starts_at + duration_minutes * 60 < :until"
            " ORDER BY starts_at + duration_minutes * 60, id",
            {"since": since, "until": until},
        )
        return [_ref(row) for row in rows]

    async def started_between(self, since: int, until: int) -> list[SeminarRef]:
        """Seminars (cancelled ones too) that start in [since, until), latest first."""
        rows = await self._all(
            "SELECT id, title, starts_at, segment FROM seminars"
            " WHERE starts_at >= :since AND starts_at < :until ORDER BY starts_at DESC, id DESC",
            {"since": since, "until": until},
        )
        return [_ref(row) for row in rows]

    async def figures(self, seminar_ids: Collection[int]) -> SeminarFigures:
        """What the seminars `seminar_ids` add up to (`bot.domain.training`'s rules)."""
        row = await self._one(_FIGURES, {"seminars": list_param(seminar_ids)})
        assert row is not None
        return SeminarFigures(*(int(value) for value in row))

    async def coverage(self, territory_id: int | None, *, at: int) -> list[Coverage]:
        """Per territory (only `territory_id`'s if given): pages approved by `at` and still
        approved, and those with a trained administrator by `at`; worst share first."""
        if territory_id is None:
            rows = await self._all(_COVERAGE[False], {"at": at})
        else:
            rows = await self._all(_COVERAGE[True], {"territory": territory_id, "at": at})
        return [Coverage(int(t), int(pages), int(covered)) for t, pages, covered in rows]


def _ref(row: Sequence[Any]) -> SeminarRef:
    seminar_id, title, starts_at, segment = row
    return SeminarRef(int(seminar_id), str(title), int(starts_at), Segment.from_json(segment))
