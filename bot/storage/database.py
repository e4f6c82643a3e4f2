"""The SQLite database: one writer connection, one read-only connection, migrations
(and, for long reads, a read-only connection of their own: `Database.snapshot()`).

Writes go through `Database.write()`, a unit of work that begins with `BEGIN IMMEDIATE`
(a read that later upgrades to a write can fail with "database is locked" whatever the
busy timeout) and commits once at the end. Repositories never commit on their own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.migrate import migration_files as migration_files  # where it was
from bot.storage.repositories import Repositories

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5_000


async def _configure(conn: aiosqlite.Connection) -> None:
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")


async def apply_migrations(conn: aiosqlite.Connection) -> int:
    """Apply the migrations newer than `PRAGMA user_version`; returns the new version."""
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    current = int(row[0]) if row else 0
    for version, name, sql in migration_files():
        if version <= current:
            continue
        log.info("Applying migration %s", name)
        try:
            # One script, one transaction: a failing migration leaves nothing behind.
            await conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        except Exception:
            if conn.in_transaction:
                await conn.rollback()
            raise
        current = version
    return current


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._read_lock = asyncio.Lock()

    async def connect(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are begun explicitly, never implicitly.
        writer = await aiosqlite.connect(self.path, isolation_level=None)
        await writer.execute("PRAGMA journal_mode = WAL")
        await _configure(writer)
        await apply_migrations(writer)
        self._writer, self._reader = writer, await self._connect_reader()

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._writer = self._reader = None

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Repositories]:
        """A unit of work: everything inside commits together or not at all."""
        conn = self._require(self._writer)
        async with self._write_lock:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield Repositories(conn)
            except BaseException:
                await conn.rollback()
                raise
            else:
                await conn.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repositories]:
        """A consistent snapshot for several reads; the writer is never blocked."""
        conn = self._require(self._reader)
        async with self._read_lock:
            await conn.execute("BEGIN")
            try:
                yield Repositories(conn)
            finally:
                await conn.rollback()

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Repositories]:
        """A consistent snapshot on a read-only connection of its own, for reads that take
        long (an export of the whole history): `read()`'s shared connection and lock stay
        free for everybody else, and the writer is never blocked. The connection is
        closed at the end. Raises RuntimeError when the database is not connected."""
        self._require(self._writer)
        conn = await self._connect_reader()
        try:
            # Deferred: the snapshot is taken by the first read and kept until the end.
            await conn.execute("BEGIN")
            yield Repositories(conn)
        finally:
            await conn.close()

    async def _connect_reader(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(
            f"file:{self.path.resolve()}?mode=ro", uri=True, isolation_level=None
        )
        await _configure(conn)
        return conn

    @staticmethod
    def _require(conn: aiosqlite.Connection | None) -> aiosqlite.Connection:
        if conn is None:
            raise RuntimeError("the database is not connected")
        return conn
