"""The locks that make one process the leader and keep one user's updates in order,
whatever the number of processes sharing the database.

The leader runs the scheduler, the delivery worker and broadcast progress; the others only
handle updates. Whoever holds the leader lock is the leader, and the lock goes away with
its holder however it ends (SIGKILL included), so another process can take over at once:

- SQLite: an exclusive `flock` on `<database>.leader`; the kernel releases it when the
  process ends. One machine, as SQLite is.
- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection of its
  own; PostgreSQL releases it when that session ends, and the holder learns it has lost
  the lock when its connection stops answering (`held()`, the heartbeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

#: PostgreSQL's session advisory lock of the leader (one 64-bit key).
LEADER_LOCK_KEY = zlib.crc32(b"gospublic-bot: leader")
#: The first key of the per-user advisory locks (two 32-bit keys: this, then the user's):
#: the two-key form never conflicts with the one-key locks above.
USER_LOCK_CLASS = 0x6770  # "gp"
#: TCP keepalives of the leader's session (seconds, seconds, probes): the server ends
#: the session of a leader whose machine vanished within about 10 s.
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 4, 2, 3
#: Seconds the leader's session has to answer its heartbeat before the leader counts
#: the lock lost: shorter than the server's keepalives above, so a leader cut off from
#: the server steps down before another can be elected.
CHECK_TIMEOUT = 5.0


class LeaderLock(Protocol):
    """What makes one process of several the leader."""

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; whether this process holds it now."""

    async def held(self) -> bool:
        """Whether this process still holds the lock (False once it is lost)."""

    async def release(self) -> None:
        """Give the lock up (nothing if not held)."""


class FileLeaderLock:
    """SQLite's leader lock: an exclusive `flock` on the file `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    async def try_acquire(self) -> bool:
        if self._handle is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._handle = handle
        return True

    async def held(self) -> bool:
        # A flock cannot be taken away from a live process.
        return self._handle is not None

    async def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the file releases the lock
            self._handle = None


class AdvisoryLeaderLock:
    """PostgreSQL's leader lock: a session advisory lock held on a connection of its own
    from `engine`, kept open (outside any transaction) while the lock is held."""

    def __init__(self, engine: AsyncEngine, *, timeout: float = CHECK_TIMEOUT) -> None:
        self._engine = engine
        self._timeout = timeout
        self._session: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        if self._session is not None:
            return await self.held()
        conn = await self._engine.connect()
        try:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            # The server notices a holder whose machine is gone (no FIN, no RST) within
            # seconds rather than the two hours of the system's TCP keepalive default.
            for setting, value in (
                ("tcp_keepalives_idle", KEEPALIVE_IDLE),
                ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
                ("tcp_keepalives_count", KEEPALIVE_COUNT),
            ):
                await conn.exec_driver_sql(f"SET {setting} = {value}")
            taken = await conn.scalar(text(f"SELECT pg_try_advisory_lock({LEADER_LOCK_KEY})"))
        except BaseException:
            # Cancelled or failed after the server may have granted the lock: end the
            # session rather than pool it (see `_drop`).
            with contextlib.suppress(Exception):
                await conn.invalidate()
            await conn.close()
            raise
        if not taken:
            await conn.close()
            return False
        self._session = conn
        return True

    async def held(self) -> bool:
        if self._session is None:
            return False
        try:
            # The lock lives as long as the session: a session that answers holds it. One
            # that does not answer in time is counted lost (its server may already have
            # ended it and let another process lead).
            await asyncio.wait_for(self._session.exec_driver_sql("SELECT 1"), self._timeout)
        except Exception:
            log.warning("Leader: the connection holding the lock is gone", exc_info=True)
            await self._drop()
            return False
        return True

    async def release(self) -> None:
        if self._session is None:
            return
        with contextlib.suppress(Exception):
            await self._session.exec_driver_sql(f"SELECT pg_advisory_unlock({LEADER_LOCK_KEY})")
        await self._drop()

    async def _drop(self) -> None:
        # The session is ended, not handed back to the pool: a session lock outlives the
        # pool's reset (a rollback), so a connection returned while it might still hold
        # the lock would keep every process from leading while this one thinks it lost.
        conn, self._session = self._session, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.invalidate()
            with contextlib.suppress(Exception):
                await conn.close()


def user_lock_key(chat_id: int | None, user_id: int | None) -> int:
    """The second key of a user's advisory lock: a stable 31-bit hash of (chat, user).
    Two users may share a key (they then wait for each other); one user always gets the
    same one."""
    digest = hashlib.blake2b(f"{chat_id}:{user_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") >> 1


@contextlib.asynccontextmanager
async def advisory_user_lock(
    engine: AsyncEngine, chat_id: int | None, user_id: int | None
) -> AsyncIterator[None]:
    """Hold (chat, user)'s transaction advisory lock for the block, on a connection of
    `engine` (a small pool of its own, so handlers' units of work never wait for it):
    one user's updates are handled one at a time across every process."""
    async with engine.connect() as conn, conn.begin():
        await conn.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({USER_LOCK_CLASS}, {user_lock_key(chat_id, user_id)})"
        )
        yield
