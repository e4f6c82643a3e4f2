"""Certificates of attendance, the attendance they rest on, and the name printed on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.storage.base import Repository, columns, from_row, insert_sql, qualified, row_of
from bot.storage.seminars import Seminar, SeminarRepository


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate as issued: `id` is its public code; the name and the academic hours
    are those printed on it, whatever changes later."""

    id: str
    seminar_id: int
    user_id: int
    full_name: str
    academic_hours: int
    issued_at: int  # Unix seconds
    revoked_at: int | None = None
    revoked_by: int | None = None


_COLUMNS = columns(Certificate)
_SEMINAR_COLUMNS = qualified("s", columns(Seminar))


class CertificateRepository(Repository):
    """Certificates issued (id, holder, name and hours as printed, revocation), the name
    each person gave for them, and the seminars they attended."""

    @staticmethod
    def _record(row: Sequence[Any]) -> Certificate:
        return from_row(Certificate, row)

    async def get(self, certificate_id: str) -> Certificate | None:
        """One certificate by its public id."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM certificates WHERE id = :id", {"id": certificate_id}
        )
        return self._record(row) if row else None

    async def of_attendee(self, seminar_id: int, user_id: int) -> Certificate | None:
        """The certificate of `user_id` for `seminar_id`, if one was issued."""
        row = await self._one(
            f"SELECT {_COLUMNS} FROM certificates"
            " WHERE seminar_id = :seminar_id AND user_id = :user_id",
            {"seminar_id": seminar_id, "user_id": user_id},
        )
        return self._record(row) if row else None

    async def add(self, certificate: Certificate) -> bool:
        """Store a new certificate; False (nothing stored) when its holder has one for
        this seminar already. A taken `id` raises the database's integrity error."""
        values = row_of(certificate)
        return await self._changed(
            insert_sql("certificates", list(values))
            + " ON CONFLICT (seminar_id, user_id) DO NOTHING",
            values,
        )

    async def revoke(self, certificate_id: str, *, by: int, now: int) -> bool:
        """Mark the certificate revoked by user `by` at `now`; False if it was already."""
        return await self._changed(
            "UPDATE certificates SET revoked_at = :now, revoked_by = :by"
            " WHERE id = :id AND revoked_at IS NULL",
            {"id": certificate_id, "by": by, "now": now},
        )

    async def of_user(self, user_id: int) -> list[Certificate]:
        """Every certificate issued to `user_id`, newest first."""
        rows = await self._all(
            f"SELECT {_COLUMNS} FROM certificates WHERE user_id = :user_id"
            " ORDER BY issued_at DESC, id",
            {"user_id": user_id},
        )
        return [self._record(row) for row in rows]

    async def attended_seminars(self, user_id: int) -> list[Seminar]:
        """The seminars `user_id` came to that were not cancelled, the latest first."""
        rows = await self._all(
            f"SELECT {_SEMINAR_COLUMNS} FROM seminar_attendance AS a"
            " JOIN seminars AS s ON s.id = a.seminar_id"
            " WHERE a.user_id = :user_id AND s.cancelled_at IS NULL"
            " ORDER BY s.starts_at DESC, s.id DESC",
            {"user_id": user_id},
        )
        return [SeminarRepository._record(row) for row in rows]

    async def name(self, user_id: int) -> str | None:
        """The full name `user_id` gave for certificates; None until they give one."""
        found = await self._scalar(
            "SELECT certificate_name FROM users WHERE id = :id", {"id": user_id}
        )
        return None if found is None else str(found)

    async def set_name(self, user_id: int, name: str) -> None:
        """The full name printed on the user's certificates from now on."""
        await self._run(
            "UPDATE users SET certificate_name = :name WHERE id = :id",
            {"name": name, "id": user_id},
        )
