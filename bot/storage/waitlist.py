"""Waiting lists of full seminars: who waits for a seat, in the order they asked.

The first in line has the lowest `id` (table `seminar_waitlist`, migration 0013). A
position is 1 for the first in line. Like every repository, this one never commits: the
seat counted and the line changed belong to one unit of work (`Database.write()`).
"""

from __future__ import annotations

from collections.abc import Collection

from bot.storage.base import Repository, in_list, list_param, no_limit


class WaitlistRepository(Repository):
    """A full seminar's waiting list (seminar_waitlist), in the order people joined."""

    async def join(self, seminar_id: int, user_id: int, *, now: int) -> bool:
        """Put the user at the end of the seminar's line; False if they were in it already
        (their place is kept)."""
        return await self._changed(
            "INSERT INTO seminar_waitlist (seminar_id, user_id, joined_at)"
            " VALUES (:seminar_id, :user_id, :now)"
            " ON CONFLICT (seminar_id, user_id) DO NOTHING",
            {"seminar_id": seminar_id, "user_id": user_id, "now": now},
        )

    async def leave(self, seminar_id: int, user_id: int) -> bool:
        """Take the user out of the seminar's line; False if they were not in it."""
        return await self._changed(
            "DELETE FROM seminar_waitlist WHERE seminar_id = :seminar_id AND user_id = :user_id",
            {"seminar_id": seminar_id, "user_id": user_id},
        )

    async def positions(self, seminar_ids: Collection[int], user_id: int) -> dict[int, int]:
        """The user's position (1: first in line) in the line of each of these seminars
        they wait for; seminars they do not wait for are absent."""
        rows = await self._all(
            "SELECT w.seminar_id, count(*) FROM seminar_waitlist w"
            " JOIN seminar_waitlist ahead ON ahead.seminar_id = w.seminar_id"
            " AND ahead.id <= w.id"
            f" WHERE w.user_id = :user_id AND {in_list('w.seminar_id', 'seminars')}"
            " GROUP BY w.seminar_id",
            {"user_id": user_id, "seminars": list_param(seminar_ids)},
        )
        return {int(seminar_id): int(position) for seminar_id, position in rows}

    async def pop(self, seminar_id: int, count: int | None) -> list[int]:
        """Take the first `count` users (None: all) out of the seminar's line; returns
        them, first in line first (fewer when fewer wait)."""
        if count is not None and count <= 0:
            return []
        rows = await self._all(
            "DELETE FROM seminar_waitlist WHERE id IN ("
            " SELECT id FROM seminar_waitlist WHERE seminar_id = :seminar_id"
            " ORDER BY id LIMIT :count) RETURNING id, user_id",
            {"seminar_id": seminar_id, "count": no_limit(count)},
        )
        # RETURNING gives no order: the line's order is the ids'.
        return [int(user_id) for _id, user_id in sorted(rows)]
