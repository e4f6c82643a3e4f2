"""The database: a writer, readers and migrations, on SQLite or PostgreSQL
(`bot.storage.dialect` says what differs).

Writes go through `Database.write()`, a unit of work under the single-writer rule (SQLite
`BEGIN IMMEDIATE`, PostgreSQL an advisory transaction lock) that commits once at the end.
Reads go through `Database.read()`, a consistent snapshot that never blocks the writer;
`Database.snapshot()` is the same on a connection of its own, for reads that take long.
Repositories never commit on their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
from asyncpg import PostgresError  # type: ignore[import-untyped]  # no stubs
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import migrate
from bot.storage.dialect import (
    Dialect,
    create_engine,
    database_url,
    dialect_of,
    sqlite_path,
)
from bot.storage.leader import (
    CHECK_TIMEOUT,
    AdvisoryLeaderLock,
    FileLeaderLock,
    LeaderLock,
    advisory_user_lock,
)
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

#: PostgreSQL connections for the per-user locks (as many more open on demand): users
#: whose updates are handled at the same moment, across the process's handlers.
USER_LOCK_POOL = 8
#: Seconds an update may wait for one of those connections before it fails.
USER_LOCK_WAIT = 600.0
#: Read connections kept open (twice as many more open on demand for long reads).
READ_POOL = 3


class DatabaseUnreachable(RuntimeError):
    """PostgreSQL cannot be reached or refuses the connection; the message names the
    URL (its password masked) and the driver's reason."""


async def _reach(engine: AsyncEngine) -> None:
    """Open and close one connection of `engine`, or raise DatabaseUnreachable."""
    try:
        async with engine.connect():
            pass
    except (OSError, PostgresError, DBAPIError) as exc:
        await engine.dispose()
        raise DatabaseUnreachable(f"cannot connect to {engine.url!r}: {exc}") from exc


class Database:
    """The bot's database at `target`: a SQLAlchemy URL (`sqlite+aiosqlite:///…`,
    `postgresql+asyncpg://…`) or the path of an SQLite file."""

    def __init__(self, target: str | Path | URL) -> None:
        self.url = database_url(target)
        self.dialect: Dialect = dialect_of(self.url)
        #: The SQLite file (backups, restore and the file lock work on it); None on
        #: PostgreSQL.
        self.file: Path | None = sqlite_path(self.url)
        self._writer: AsyncEngine | None = None
        self._readers: AsyncEngine | None = None
        self._user_locks: AsyncEngine | None = None
        # One unit of work at a time in this process: the others wait here rather than
        # each holding a connection while the engine's lock keeps them waiting.
        self._write_lock = asyncio.Lock()

    async def connect(self) -> None:
        """Open the engines and bring the schema up to date. DatabaseUnreachable when
        PostgreSQL cannot be reached or refuses the connection."""
        if self.file is not None:
            self.file.parent.mkdir(parents=True, exist_ok=True)
        writer = create_engine(self.url, pool_size=1)
        if not self.dialect.is_sqlite:
            await _reach(writer)
        try:
            if self.dialect.is_sqlite:
                async with writer.connect() as conn:
                    # Persistent, and only outside a transaction.
                    raw = (await conn.get_raw_connection()).driver_connection
                    assert isinstance(raw, aiosqlite.Connection)
                    await raw.execute("PRAGMA journal_mode = WAL")
            await migrate.upgrade(writer)
        except BaseException:
            await writer.dispose()
            raise
        self._writer = writer
        # Reads on a pool of their own: a long one (an export's snapshot) must hold up
        # neither the writer nor other reads, and on PostgreSQL the leader lock keeps one
        # of the writer's connections for itself.
        self._readers = create_engine(self.url, read_only=True, pool_size=READ_POOL)
        if not self.dialect.is_sqlite:
            # A user beyond the pool waits for a connection as long as it takes (the
            # update is not refused): handlers of other users finish in moments.
            self._user_locks = create_engine(
                self.url, pool_size=USER_LOCK_POOL, pool_timeout=USER_LOCK_WAIT
            )

    async def close(self) -> None:
        """Close every connection; connect() may be called again."""
        engines = (self._user_locks, self._readers, self._writer)
        for engine in {id(e): e for e in engines if e is not None}.values():
            await engine.dispose()
        self._writer = self._readers = self._user_locks = None

    def leader_lock(self, *, timeout: float = CHECK_TIMEOUT) -> LeaderLock:
        """The lock whose holder is the leader (`bot.storage.leader`): SQLite a `flock` on
        `<database>.leader`, PostgreSQL a session advisory lock whose holder counts it
        lost when its session does not answer within `timeout` seconds. RuntimeError on
        PostgreSQL when the database is not connected."""
        if self.file is not None:
            return FileLeaderLock(self.file.with_name(self.file.name + ".leader"))
        return AdvisoryLeaderLock(self._require(self._writer), timeout=timeout)

    @asynccontextmanager
    async def user_lock(self, chat_id: int | None, user_id: int | None) -> AsyncIterator[None]:
        """Hold (chat, user)'s lock across every process for the block (PostgreSQL, on a
        pool of USER_LOCK_POOL connections of its own). SQLite serves one process, whose
        event isolation orders the user's updates already: nothing to take there."""
        if self._user_locks is None:
            yield
            return
        async with advisory_user_lock(self._user_locks, chat_id, user_id):
            yield

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Repositories]:
        """A unit of work: everything inside commits together or not at all."""
        engine = self._require(self._writer)
        async with self._write_lock, engine.connect() as conn:
            await self.dialect.begin_write(conn)
            try:
                yield Repositories(conn, self.dialect)
            except BaseException:
                await conn.rollback()
                raise
            else:
                await conn.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        """A consistent snapshot for several reads; the writer is never blocked."""
        async with self._reading() as conn:
            yield Repositories(conn, self.dialect)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Repositories]:
        """A consistent snapshot for reads that take long (an export of the whole
        history), on a connection of its own: reads by everybody else and the writer go
        on meanwhile. Raises RuntimeError when the database is not connected."""
        async with self._reading() as conn:
            yield Repositories(conn, self.dialect)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        engine = self._require(self._readers)
        async with engine.connect() as conn:
            options = self.dialect.read_options()
            if options:
                await conn.execution_options(**options)
            await conn.begin()
            try:
                yield conn
            finally:
                await conn.rollback()

    @property
    def path(self) -> Path:
        """`file` where there must be one: RuntimeError on PostgreSQL."""
        if self.file is None:
            raise RuntimeError(f"{self.url.get_backend_name()} keeps no database file")
        return self.file

    @staticmethod
    def _require(engine: AsyncEngine | None) -> AsyncEngine:
        if engine is None:
            raise RuntimeError("the database is not connected")
        return engine
