"""Per-user ordering of updates, and knowing when no handler is running.

aiogram's polling confirms an update to Telegram before its handler has finished and
does not wait for running handlers when it stops. The dispatcher asks its event
isolation for a lock around every update of a user before handling it, so the isolation
is the one place that sees each handler from before it waits until it is done: it keeps
one user's updates in order and lets shutdown wait until the last one is stored.

Where several processes share a PostgreSQL database behind a load balancer, one user's
updates may reach different processes: inside its own lock the isolation also takes the
user's lock across processes (`Database.user_lock`, an advisory lock), so they are still
handled one at a time. Different users go on in parallel.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncGenerator, Callable, Hashable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from aiogram.fsm.storage.base import BaseEventIsolation, StorageKey

#: How many updates of the same user were queued ahead of the one being handled when it
#: arrived: a measure of how fast the user writes that the handler itself cannot see.
queued_ahead: contextvars.ContextVar[int] = contextvars.ContextVar("queued_ahead", default=0)


#: (chat id, user id) → the user's lock across processes, held for the block.
SharedLock = Callable[[int | None, int | None], AbstractAsyncContextManager[None]]


class TrackingEventIsolation(BaseEventIsolation):
    def __init__(self, shared: SharedLock | None = None) -> None:
        self._shared = shared
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        self._enter()
        lock_key = (key.bot_id, key.chat_id, key.user_id)
        lock, users = self._locks.get(lock_key, (asyncio.Lock(), 0))
        self._locks[lock_key] = (lock, users + 1)
        queued_ahead.set(users)
        try:
            async with lock:
                if self._shared is None:
                    yield
                else:
                    async with self._shared(key.chat_id, key.user_id):
                        yield
        finally:
            lock, users = self._locks[lock_key]
            if users == 1:
                del self._locks[lock_key]
            else:
                self._locks[lock_key] = (lock, users - 1)
            self._leave()

    async def wait_idle(self, grace: float) -> bool:
        """Wait until no handler runs; False if some were still running after `grace` s."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            return False
        return True

    def _enter(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    async def close(self) -> None:
        # Locks are released by their holders; clearing them here would break
        # handlers that are still finishing while the bot stops.
        return None
