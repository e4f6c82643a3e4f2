"""What differs between the two engines the storage runs on, and only that.

The repositories' SQL is written once, for both SQLite (the default, one machine) and
PostgreSQL (several replicas sharing one database). SQLAlchemy Core is the driver layer
under `Database`: the SQL stays hand-written in `text()` with named parameters, and a
list is bound as an *expanding* parameter (`column IN :name` gets one placeholder
per item).
What cannot be written once lives here:

- how an engine is made and how a unit of work begins: SQLite `BEGIN IMMEDIATE` (the
  single-writer rule; a read that later upgrades to a write can fail with "database is
  locked" whatever the busy timeout) through SQLAlchemy's "begin" event; PostgreSQL one
  advisory transaction lock taken first by every unit of work, and REPEATABLE READ READ
  ONLY snapshots for reads;
- a list parameter read as a table of values (`list_values`): SQLite json_each over a
  JSON array, PostgreSQL unnest over an array.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

#: How long SQLite waits for another process's write lock before "database is locked".
BUSY_TIMEOUT_MS = 5_000

#: The key of PostgreSQL's advisory lock that every unit of work takes first: the
#: single-writer rule of SQLite, across every replica. Any stable 64-bit number.
WRITER_LOCK_KEY = zlib.crc32(b"gospublic-bot: writer")

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


class ListParam(tuple[Any, ...]):
    """The value of a list parameter (see `bot.storage.base.list_param`): bound as an
    expanding parameter by `in_list`, or as one array by `list_values`."""


def database_url(target: str | Path | URL) -> URL:
    """The SQLAlchemy URL of `target`: a URL as is (`sqlite+aiosqlite:///data/bot.sqlite3`,
    `postgresql+asyncpg://user:password@host/db`), a path as an SQLite file.

    ValueError for what is not a URL, and for an engine other than SQLite or PostgreSQL.
    """
    try:
        url = (
            make_url(f"sqlite+aiosqlite:///{target}")
            if isinstance(target, Path)
            else make_url(target)
        )
    except ArgumentError:
        # The URL itself is not repeated: it may hold a password.
        raise ValueError(
            "not a database URL: expected e.g. sqlite+aiosqlite:///data/bot.sqlite3 or "
            "postgresql+asyncpg://user:password@host:5432/dbname"
        ) from None
    if url.get_backend_name() == SQLITE:
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.get_backend_name() == POSTGRESQL:
        url = url.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database {url.drivername!r}: use sqlite or postgresql")
    return url


@dataclass(frozen=True, slots=True)
class Dialect:
    """One engine's ways: `name` is "sqlite" or "postgresql"."""

    name: str

    @property
    def is_sqlite(self) -> bool:
        return self.name == SQLITE

    def list_values(self, name: str) -> str:
        """SQL: a subquery whose one column `value` holds the integers of the list
        parameter `name` (bound with `list_param`)."""
        if self.is_sqlite:
            return f"(SELECT value FROM json_each(:{name}))"
        return f"(SELECT unnest(CAST(:{name} AS BIGINT[])) AS value)"

    def binds_whole(self, sql: str, name: str) -> bool:
        """Whether the list parameter `name` is read by `list_values` in `sql` (bound as
        one value) rather than by `in_list` (expanding)."""
        if self.is_sqlite:
            return f"json_each(:{name})" in sql
        return f"CAST(:{name} AS BIGINT[])" in sql

    def whole_list(self, values: ListParam) -> Any:
        """A list parameter's value as `list_values` reads it: SQLite a JSON array,
        PostgreSQL the list itself (an array)."""
        return json.dumps(list(values)) if self.is_sqlite else list(values)

    def skip_locked(self, table: str) -> str:
        """SQL that ends a SELECT picking rows to claim: PostgreSQL locks the rows of
        `table` (an alias) it picks and passes over rows another transaction holds
        (`FOR UPDATE OF table SKIP LOCKED`), so two claimers never take one row; SQLite
        lets one writer at a time (`BEGIN IMMEDIATE`), which needs nothing here."""
        return "" if self.is_sqlite else f" FOR UPDATE OF {table} SKIP LOCKED"

    def indexed_by(self, index: str) -> str:
        """SQL after a table in FROM: read it through `index`. SQLite plans without
        statistics and takes an equality on a broad index (`pages.status`) over a narrow
        partial one, so it is told (`INDEXED BY`; an error if the query cannot use it).
        PostgreSQL keeps statistics and picks the partial index itself: nothing."""
        return f" INDEXED BY {index}" if self.is_sqlite else ""

    async def begin_write(self, conn: AsyncConnection) -> None:
        """Begin a unit of work on `conn` under the single-writer rule: SQLite's
        `BEGIN IMMEDIATE` (the writer engine's begin event emits it), PostgreSQL's
        advisory transaction lock WRITER_LOCK_KEY, held until commit or rollback."""
        await conn.begin()
        if not self.is_sqlite:
            await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")

    def read_options(self) -> Mapping[str, Any]:
        """Execution options of a read: PostgreSQL a REPEATABLE READ READ ONLY snapshot;
        SQLite's deferred BEGIN on a read-only connection is a snapshot already."""
        if self.is_sqlite:
            return {}
        return {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}


def dialect_of(url: URL) -> Dialect:
    """The dialect of a URL made by `database_url`."""
    return Dialect(url.get_backend_name())


def sqlite_path(url: URL) -> Path | None:
    """The file of an SQLite URL (without `file:` and URI options), None for PostgreSQL
    and for an in-memory SQLite database."""
    if url.get_backend_name() != SQLITE or not url.database or url.database == ":memory:":
        return None
    return Path(re.sub(r"^file:", "", url.database))


def sqlite_file(target: str | Path | URL) -> Path | None:
    """The SQLite file of a database given as to `database_url`; None on PostgreSQL."""
    return sqlite_path(database_url(target))


def _number(text: str) -> int | float:
    """A PostgreSQL numeric as SQLite gives it: an int when whole, else a float."""
    return float(text) if any(mark in text for mark in ".eEN") else int(text)


async def _read_numeric_as_sqlite_does(conn: Any) -> None:
    """sum() of integers is numeric on PostgreSQL (asyncpg: a Decimal) and an integer on
    SQLite; avg() numeric against a float. The repositories get SQLite's types on both."""
    await conn.set_type_codec(
        "numeric", schema="pg_catalog", encoder=str, decoder=_number, format="text"
    )


def create_engine(
    url: URL, *, read_only: bool = False, pool_size: int = 5, pool_timeout: float = 30
) -> AsyncEngine:
    """An engine for `url` (made by `database_url`).

    SQLite: every connection gets the busy timeout, foreign keys and synchronous=NORMAL;
    the DBAPI connection is put in autocommit so that pysqlite never begins on its own,
    and the engine's "begin" event emits `BEGIN IMMEDIATE` (`BEGIN`, deferred, on a
    `read_only` engine, whose connections open the file read-only). `pool_size`
    connections stay open; twice as many more may be opened for long reads.
    PostgreSQL: asyncpg with a pool of `pool_size` (and as many more on demand), numeric
    values read as SQLite gives them (`_number`).
    Both: a checkout waits `pool_timeout` seconds for a free connection at most; a
    failing statement's error (logged with its traceback) leaves out the bound values,
    which hold what users typed, invite codes and wizard state.
    """
    if url.get_backend_name() != SQLITE:
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=pool_timeout,
            hide_parameters=True,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _numbers(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.run_async(_read_numeric_as_sqlite_does)

        return engine
    path = sqlite_path(url)
    if read_only and path is not None:
        url = url.set(database=f"file:{path.resolve()}", query={"mode": "ro", "uri": "true"})
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=2 * pool_size,
        pool_timeout=pool_timeout,
        hide_parameters=True,
    )
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine
