"""The scheduler lease: one process per database runs the scheduled jobs."""

from __future__ import annotations

from bot.storage.base import Repository


class LeaseRepository(Repository):
    async def acquire(self, holder: str, *, now: int, until: int) -> bool:
        """Take or renew the lease; False while another holder's lease is unexpired."""
        return await self._changed(
            "INSERT INTO scheduler_lease (id, holder, expires_at) VALUES (1, :holder, :until)"
            " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE scheduler_lease.holder = :holder OR scheduler_lease.expires_at <= :now",
            {"holder": holder, "until": until, "now": now},
        )

    async def release(self, holder: str) -> None:
        """Give the lease up, if this holder has it."""
        await self._run("DELETE FROM scheduler_lease WHERE holder = :holder", {"holder": holder})
