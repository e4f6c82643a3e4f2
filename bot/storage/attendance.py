"""Who came to a seminar (seminar_attendance) and the seminars' check-in codes."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from bot.storage.base import Repository, in_list, list_param


class AttendanceSource(StrEnum):
    """How an attendance was recorded (seminar_attendance.source)."""

    COORDINATOR = "coordinator"  # marked on the list; marked_by is the coordinator
    CODE = "code"  # the person checked in with the seminar's code


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person on a seminar's attendance list: registered, or marked as having come
    without registering (or both)."""

    user_id: int
    full_name: str
    username: str | None
    registered: bool
    came: bool


class AttendanceRepository(Repository):
    """Who came to which seminar (seminar_attendance: how, when, marked by whom), the
    coordinator's list and the check-in codes."""

    async def mark(
        self,
        seminar_id: int,
        user_id: int,
        source: AttendanceSource,
        *,
        marked_by: int | None,
        now: int,
    ) -> bool:
        """Record that the user came; False (and nothing changes) if they were already
        recorded, whichever way."""
        return await self._changed(
            "INSERT INTO seminar_attendance (seminar_id, user_id, source, marked_by, marked_at)"
            " VALUES (:seminar_id, :user_id, :source, :marked_by, :now)"
            " ON CONFLICT (seminar_id, user_id) DO NOTHING",
            {
                "seminar_id": seminar_id,
                "user_id": user_id,
                "source": source.value,
                "marked_by": marked_by,
                "now": now,
            },
        )

    async def unmark(self, seminar_id: int, user_id: int) -> bool:
        """Take back that the user came; False if they were not recorded."""
        return await self._changed(
            "DELETE FROM seminar_attendance WHERE seminar_id = :seminar_id AND user_id = :user_id",
            {"seminar_id": seminar_id, "user_id": user_id},
        )

    async def attended(self, seminar_ids: Collection[int], user_id: int) -> set[int]:
        """Those of `seminar_ids` the user is recorded as having come to (a
        seminar_attendance row, however marked): the one "did they attend" query."""
        rows = await self._all(
            "SELECT seminar_id FROM seminar_attendance"
            f" WHERE user_id = :user_id AND {in_list('seminar_id', 'seminars')}",
            {"user_id": user_id, "seminars": list_param(seminar_ids)},
        )
        return {int(seminar_id) for (seminar_id,) in rows}

    async def came(self, seminar_id: int, user_id: int) -> bool:
        """Whether the user is recorded as having come to `seminar_id` (`attended`)."""
        return seminar_id in await self.attended([seminar_id], user_id)

    async def roster(self, seminar_id: int) -> list[RosterEntry]:
        """Everyone registered for the seminar or recorded as having come, by name (then
        id): the coordinator's attendance list."""
        rows = await self._all(
            "SELECT u.id, u.full_name, u.username,"
            " EXISTS (SELECT 1 FROM seminar_registrations r"
            "         WHERE r.seminar_id = :seminar_id AND r.user_id = u.id),"
            " EXISTS (SELECT 1 FROM seminar_attendance a"
            "         WHERE a.seminar_id = :seminar_id AND a.user_id = u.id)"
            " FROM users u WHERE u.id IN ("
            "   SELECT user_id FROM seminar_registrations WHERE seminar_id = :seminar_id"
            "   UNION SELECT user_id FROM seminar_attendance WHERE seminar_id = :seminar_id)"
            " ORDER BY lower(u.full_name), u.id",
            {"seminar_id": seminar_id},
        )
        return [
            RosterEntry(int(uid), str(name), username, bool(registered), bool(came))
            for uid, name, username, registered, came in rows
        ]

    async def seminar_of_code(self, code: str) -> int | None:
        """The id of the seminar whose check-in code is `code` (exactly), or None."""
        found = await self._scalar(
            "SELECT id FROM seminars WHERE checkin_code = :code", {"code": code}
        )
        return None if found is None else int(found)

    async def set_code(self, seminar_id: int, code: str) -> bool:
        """Give the seminar its check-in code, once: False (nothing changes) when it has
        one already or another seminar has this code. Checked before writing, so the
        unique index never aborts the transaction (PostgreSQL would abort all of it)."""
        return await self._changed(
            "UPDATE seminars SET checkin_code = :code"
            " WHERE id = :id AND checkin_code IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM seminars WHERE checkin_code = :code)",
            {"id": seminar_id, "code": code},
        )
