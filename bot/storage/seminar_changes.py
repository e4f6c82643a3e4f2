"""A seminar changed or cancelled by a coordinator, and who hears of it."""

from __future__ import annotations

from bot.domain.seminars import SeminarField
from bot.storage.base import Repository

#: The column each field a coordinator may change is stored in.
_COLUMNS = {
    SeminarField.STARTS_AT: "starts_at",
    SeminarField.PLACE: "place",
    SeminarField.CAPACITY: "capacity",
    SeminarField.DESCRIPTION: "description",
}


class SeminarChangeRepository(Repository):
    """A seminar's changes after its announcement (a field, or its cancellation, each
    bumping its revision) and who is concerned: those registered or waiting."""

    async def change(self, seminar_id: int, field: SeminarField, value: int | str | None) -> bool:
        """Set `field` of a seminar not cancelled and bump its revision (the calendar
        entry's SEQUENCE); False if there is no such seminar, or it is cancelled."""
        return await self._changed(
            f"UPDATE seminars SET {_COLUMNS[field]} = :value, revision = revision + 1"
            " WHERE id = :id AND cancelled_at IS NULL",
            {"id": seminar_id, "value": value},
        )

    async def cancel(self, seminar_id: int, *, now: int) -> bool:
        """Mark a seminar cancelled at `now` (Unix seconds) and bump its revision; False if
        there is no such seminar, or it was cancelled already."""
        return await self._changed(
            "UPDATE seminars SET cancelled_at = :now, revision = revision + 1"
            " WHERE id = :id AND cancelled_at IS NULL",
            {"id": seminar_id, "now": now},
        )

    async def concerned(self, seminar_id: int) -> list[int]:
        """The users registered for the seminar or waiting for a seat, by id, ascending."""
        rows = await self._all(
            "SELECT user_id FROM seminar_registrations WHERE seminar_id = :id"
            " UNION SELECT user_id FROM seminar_waitlist WHERE seminar_id = :id"
            " ORDER BY 1",
            {"id": seminar_id},
        )
        return [int(user_id) for (user_id,) in rows]
