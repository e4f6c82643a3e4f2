"""Seminars and their registrations."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.segments import Segment
from bot.storage.base import Repository, columns, from_row, in_list, list_param, row_of


@dataclass(frozen=True, slots=True)
class Seminar:
    id: int
    title: str
    description: str
    starts_at: int
    duration_minutes: int
    place: str
    capacity: int | None  # None: no limit
    segment: Segment  # who is invited
    created_by: int
    created_at: int
    #: Academic hours (45 minutes) for the continuing-education record.
    academic_hours: int = 1
    cancelled_at: int | None = None  # None: held as planned
    #: Bumped by every change a coordinator makes (the calendar entry's SEQUENCE).
    revision: int = 0
    checkin_code: str | None = None  # None until a coordinator asks for it

    @property
    def ends_at(self) -> int:
        return self.starts_at + self.duration_minutes * 60


class SeminarRepository(Repository):
    _COLUMNS = columns(Seminar)

    @staticmethod
    def _record(row: Sequence[Any]) -> Seminar:
        return from_row(Seminar, row, segment=Segment.from_json)

    async def create(self, seminar: Seminar) -> int:
        """Store `seminar` as a new one; returns the id the database gave it (the record's
        own `id` is not stored)."""
        values = row_of(seminar, segment=Segment.to_json)
        del values["id"]
        return await self._insert("seminars", values)

    async def get(self, seminar_id: int) -> Seminar | None:
        """One seminar by id."""
        row = await self._one(
            f"SELECT {self._COLUMNS} FROM seminars WHERE id = :id", {"id": seminar_id}
        )
        return self._record(row) if row else None

    async def starting_between(self, since: int, until: int) -> list[Seminar]:
        """Seminars that start in [since, until), soonest first."""
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM seminars WHERE starts_at >= :since AND starts_at < :until"
            " ORDER BY starts_at, id",
            {"since": since, "until": until},
        )
        return [self._record(row) for row in rows]

    async def registered_counts(self, seminar_ids: Collection[int]) -> dict[int, int]:
        """Registrations per seminar; every id given is present (0 if none)."""
        counts = dict.fromkeys(seminar_ids, 0)
        for seminar_id, count in await self._all(
            "SELECT seminar_id, count(*) FROM seminar_registrations"
            f" WHERE {in_list('seminar_id', 'seminars')} GROUP BY seminar_id",
            {"seminars": list_param(seminar_ids)},
        ):
            counts[int(seminar_id)] = int(count)
        return counts

    async def registrations(
        self, seminar_ids: Collection[int], user_ids: Collection[int] | None = None
    ) -> set[tuple[int, int]]:
        """(seminar, user) pairs registered, for these seminars (and these users)."""
        sql = (
            "SELECT seminar_id, user_id FROM seminar_registrations"
            f" WHERE {in_list('seminar_id', 'seminars')}"
        )
        params: dict[str, Any] = {"seminars": list_param(seminar_ids)}
        if user_ids is not None:
            sql += f" AND {in_list('user_id', 'users')}"
            params["users"] = list_param(user_ids)
        return {(int(s), int(u)) for s, u in await self._all(sql, params)}

    async def register(self, seminar_id: int, user_id: int, *, now: int) -> bool:
        """False if the user was registered already."""
        return await self._changed(
            "INSERT INTO seminar_registrations (seminar_id, user_id, registered_at)"
            " VALUES (:seminar_id, :user_id, :now) ON CONFLICT (seminar_id, user_id) DO NOTHING",
            {"seminar_id": seminar_id, "user_id": user_id, "now": now},
        )

    async def unregister(self, seminar_id: int, user_id: int) -> bool:
        """Cancel a registration; False if there was none."""
        return await self._changed(
            "DELETE FROM seminar_registrations"
            " WHERE seminar_id = :seminar_id AND user_id = :user_id",
            {"seminar_id": seminar_id, "user_id": user_id},
        )
