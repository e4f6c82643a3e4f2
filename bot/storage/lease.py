"""The scheduler lease: one process per database runs the scheduled jobs."""

from __future__ import annotations

from bot.storage.base import Repository

#: SQL: the lease row becomes :holder's until :until (a WHERE may limit when).
_TAKE = (
    "INSERT INTO scheduler_lease (id, holder, expires_at) VALUES (1, :holder, :until)"
    " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
)


class LeaseRepository(Repository):
    async def acquire(self, holder: str, *, now: int, until: int) -> bool:
        """Take or renew the lease; False while another holder's lease is unexpired."""
        return await self._changed(
            _TAKE + " WHERE scheduler_lease.holder = :holder OR scheduler_lease.expires_at <= :now",
            {"holder": holder, "until": until, "now": now},
        )

    async def seize(self, holder: str, *, until: int) -> None:
        """Make `holder` the lease's holder until `until` (epoch seconds), whoever held it:
        for the process just elected leader (`bot.services.leadership`), whose leader
        lock already says the previous holder is gone or has stepped down."""
        await self._run(_TAKE, {"holder": holder, "until": until})

    async def release(self, holder: str) -> None:
        """Give the lease up, if this holder has it."""
        await self._run("DELETE FROM scheduler_lease WHERE holder = :holder", {"holder": holder})
