"""One leader among the processes sharing a database.

The leader runs what must run once: the scheduler, the delivery worker and broadcast
progress (and registers the webhook). Every process handles updates. Whoever holds the
leader lock (`bot.storage.leader`) leads; the others try to take it every `heartbeat`
seconds, so when the leader dies another takes over within about that long, and its
delivery worker puts back the rows the dead one left 'sending' (at most one claim of
messages may then go out twice: README, "Messages the bot sends on its own"). The leader
checks it still holds the lock at the same pace and steps down when it does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from bot.storage.leader import LeaderLock

log = logging.getLogger(__name__)

#: What the leader starts when elected, or stops when it steps down.
Duty = Callable[[], Awaitable[object]]


def replica_name() -> str:
    """This process among the replicas, as logs and the outbox's `claimed_by` name it:
    "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership:
    """Takes the leader lock made by `lock` when it can and keeps it while it holds.

    `on_elected` duties run in order when this process becomes the leader,
    `on_deposed` ones in order when it stops being it (lock lost, or `stop()`). A duty
    that raises is logged and the others still run.
    """

    def __init__(
        self,
        lock: Callable[[], LeaderLock],
        *,
        heartbeat: float,
        replica: str | None = None,
    ) -> None:
        self._make_lock = lock
        self._heartbeat = heartbeat
        self.replica = replica or replica_name()
        self.on_elected: list[Duty] = []
        self.on_deposed: list[Duty] = []
        self._lock: LeaderLock | None = None
        self._leading = False
        self._task: asyncio.Task[None] | None = None
        self._elected = asyncio.Event()

    @property
    def is_leader(self) -> bool:
        return self._leading

    async def wait_elected(self) -> None:
        """Return once this process is the leader (at once if it is)."""
        await self._elected.wait()

    async def start(self) -> None:
        """Try to lead now (a single process leads before start-up ends), then keep
        trying, or keep checking, every `heartbeat` seconds in the background."""
        if self._task is not None:
            raise RuntimeError("leadership already started")
        self._lock = self._make_lock()
        await self._beat()
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        """Stop trying; if leading, run the deposed duties and give the lock up."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._leading:
            await self._step_down()
        if self._lock is not None:
            await self._lock.release()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._heartbeat)
            try:
                await self._beat()
            except Exception:
                log.exception("Leader: the heartbeat failed; trying again")

    async def _beat(self) -> None:
        lock = self._lock
        assert lock is not None
        if self._leading:
            if not await lock.held():
                log.warning("Leader: %s lost the leader lock; stepping down", self.replica)
                await self._step_down()
            return
        try:
            taken = await lock.try_acquire()
        except Exception:
            log.warning("Leader: could not reach the leader lock", exc_info=True)
            return
        if taken:
            log.info("Leader: %s leads", self.replica)
            self._leading = True
            self._elected.set()
            await self._perform(self.on_elected)

    async def _step_down(self) -> None:
        self._leading = False
        self._elected.clear()
        await self._perform(self.on_deposed)

    @staticmethod
    async def _perform(duties: list[Duty]) -> None:
        for duty in duties:
            try:
                await duty()
            except Exception:
                log.exception("Leader: %s failed", getattr(duty, "__qualname__", duty))
