"""Seminars and their registrations."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.domain.segments import Segment


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

    @property
    def ends_at(self) -> int:
        return self.starts_at + self.duration_minutes * 60


class SeminarRepository:
    _COLUMNS = (
        "id, title, description, starts_at, duration_minutes, place, capacity, segment,"
        " created_by, created_at"
    )

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @staticmethod
    def _record(row: Sequence[Any]) -> Seminar:
        return Seminar(
            id=row[0],
            title=row[1],
            description=row[2],
            starts_at=row[3],
            duration_minutes=row[4],
            place=row[5],
            capacity=row[6],
            segment=Segment.from_json(row[7]),
            created_by=row[8],
            created_at=row[9],
        )

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        async with self._conn.execute(sql, params) as cursor:
            return [tuple(row) for row in await cursor.fetchall()]

    async def create(
        self,
        *,
        title: str,
        description: str,
        starts_at: int,
        duration_minutes: int,
        place: str,
        capacity: int | None,
        segment: Segment,
        created_by: int,
        now: int,
    ) -> int:
        async with self._conn.execute(
            "INSERT INTO seminars (title, description, starts_at, duration_minutes, place,"
            " capacity, segment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                title,
                description,
                starts_at,
                duration_minutes,
                place,
                capacity,
                segment.to_json(),
                created_by,
                now,
            ),
        ) as cursor:
            seminar_id = cursor.lastrowid
        assert seminar_id is not None
        return seminar_id

    async def get(self, seminar_id: int) -> Seminar | None:
        rows = await self._all(f"SELECT {self._COLUMNS} FROM seminars WHERE id = ?", (seminar_id,))
        return self._record(rows[0]) if rows else None

    async def starting_between(self, since: int, until: int) -> list[Seminar]:
        """Seminars that start in [since, until), soonest first."""
        rows = await self._all(
            f"SELECT {self._COLUMNS} FROM seminars WHERE starts_at >= ? AND starts_at < ?"
            " ORDER BY starts_at, id",
            (since, until),
        )
        return [self._record(row) for row in rows]

    async def registered_counts(self, seminar_ids: Collection[int]) -> dict[int, int]:
        """Registrations per seminar; every id given is present (0 if none)."""
        counts = dict.fromkeys(seminar_ids, 0)
        for seminar_id, count in await self._all(
            "SELECT seminar_id, count(*) FROM seminar_registrations"
            " WHERE seminar_id IN (SELECT value FROM json_each(?)) GROUP BY seminar_id",
            (json.dumps(sorted(seminar_ids)),),
        ):
            counts[int(seminar_id)] = int(count)
        return counts

    async def registrations(
        self, seminar_ids: Collection[int], user_ids: Collection[int] | None = None
    ) -> set[tuple[int, int]]:
        """(seminar, user) pairs registered, for these seminars (and these users)."""
        sql = (
            "SELECT seminar_id, user_id FROM seminar_registrations"
            " WHERE seminar_id IN (SELECT value FROM json_each(?))"
        )
        params: list[Any] = [json.dumps(sorted(seminar_ids))]
        if user_ids is not None:
            sql += " AND user_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(user_ids)))
        return {(int(s), int(u)) for s, u in await self._all(sql, params)}

    async def register(self, seminar_id: int, user_id: int, *, now: int) -> bool:
        """False if the user was registered already."""
        async with self._conn.execute(
            "INSERT OR IGNORE INTO seminar_registrations (seminar_id, user_id, registered_at)"
            " VALUES (?, ?, ?)",
            (seminar_id, user_id, now),
        ) as cursor:
            return cursor.rowcount > 0

    async def unregister(self, seminar_id: int, user_id: int) -> bool:
        async with self._conn.execute(
            "DELETE FROM seminar_registrations WHERE seminar_id = ? AND user_id = ?",
            (seminar_id, user_id),
        ) as cursor:
            return cursor.rowcount > 0
