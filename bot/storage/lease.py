"""The scheduler lease: one process per database runs the scheduled jobs."""

from __future__ import annotations

import aiosqlite


class LeaseRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def acquire(self, holder: str, *, now: int, until: int) -> bool:
        """Take or renew the lease; False while another holder's lease is unexpired."""
        async with self._conn.execute(
            "INSERT INTO scheduler_lease (id, holder, expires_at) VALUES (1, ?1, ?2)"
            " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE scheduler_lease.holder = ?1 OR scheduler_lease.expires_at <= ?3",
            (holder, until, now),
        ) as cursor:
            return cursor.rowcount > 0

    async def release(self, holder: str) -> None:
        await self._conn.execute("DELETE FROM scheduler_lease WHERE holder = ?", (holder,))
