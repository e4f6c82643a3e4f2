"""The engines a benchmark runs on, one after the other: SQLite (a file in a temporary
folder), then PostgreSQL on a server the benchmark starts for itself in a temporary folder
(tests/postgres.py's server: unix socket only, durability off). Without the PostgreSQL
binaries (PG_BIN) the benchmark says so and runs on SQLite only.

Generated data goes in through each engine's own bulk path, faster than the bot's unit of
work: sqlite3's `executemany` in one transaction, asyncpg's `copy_records_to_table` in
chunks (`fill`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import PACKAGE_DIR
from bot.storage.database import Database
from bot.storage.seed import seed_territories

SQLITE = "SQLite"
POSTGRESQL = "PostgreSQL"


@dataclass(frozen=True)
class Engine:
    """One engine's database: `name` (SQLITE or POSTGRESQL) and `target` as `Database`
    takes it (an SQLite file, a PostgreSQL URL)."""

    name: str
    target: Path | str

    @property
    def is_sqlite(self) -> bool:
        return self.name == SQLITE


@dataclass(frozen=True)
class Table:
    """Rows for one table: `columns` named, each row a tuple in that order."""

    name: str
    columns: Sequence[str]
    rows: Iterable[tuple[Any, ...]]


async def engines(folder: Path) -> AsyncGenerator[Engine, None]:
    """SQLite's file in `folder`, then a PostgreSQL database (its server running until
    the generator ends: iterate it under `contextlib.aclosing`); each migrated and
    seeded with the region's territories, nothing else. Prints why PostgreSQL is left
    out when it is."""
    yield await _prepared(Engine(SQLITE, folder / "bench.sqlite3"))
    # Only now: pytest, which it imports, would count in the SQLite run's peak memory.
    from tests.postgres import binaries_missing, running_server

    missing = binaries_missing()
    if missing:
        print(f"{POSTGRESQL}: not run: {missing}")
        return
    with running_server() as server:
        yield await _prepared(Engine(POSTGRESQL, await server.empty_database()))


async def _prepared(engine: Engine) -> Engine:
    async with connected(engine) as db:  # migrated as it connects
        await seed_territories(db, PACKAGE_DIR / "data" / "territories_penza.csv")
    return engine


async def territory_ids(engine: Engine) -> list[int]:
    """The ids of the seeded territories, ascending (the same on both engines)."""
    async with connected(engine) as db, db.read() as repos:
        return sorted(territory.id for territory in await repos.territories.all())


#: What the bot keeps on each page row as reports arrive (its latest report), set for
#: every generated page in one pass; the page-id range is appended.
LATEST_ON_PAGES = (
    "UPDATE pages SET (current_figure, last_report_at, changed_at) ="
    " (SELECT figure, reported_at, reported_at FROM reports r WHERE r.page_id = pages.id"
    "  ORDER BY reported_at DESC, id DESC LIMIT 1)"
)

#: Rows (and pages) per PostgreSQL transaction while filling. The pages' triggers update
#: the same few thousand `segment_totals` rows over and over: within one transaction each
#: update adds a row version the next must step over, and the fill slows down as it goes.
PG_CHUNK = 10_000


async def fill(engine: Engine, tables: Iterable[Table], pages: int) -> None:
    """Insert every table's rows, in order, then set each of pages 1..`pages` from its
    latest report (`LATEST_ON_PAGES`) and ANALYZE: on SQLite in one transaction
    (synchronous off), on PostgreSQL by COPY, PG_CHUNK rows a transaction, then VACUUM."""
    if isinstance(engine.target, Path):
        _fill_sqlite(engine.target, tables)
        return
    async with raw_postgres(engine.target) as conn:
        for table in tables:
            rows = iter(table.rows)
            while chunk := list(islice(rows, PG_CHUNK)):
                await conn.copy_records_to_table(
                    table.name, records=chunk, columns=list(table.columns)
                )
        for first in range(1, pages + 1, PG_CHUNK):
            await conn.execute(
                f"{LATEST_ON_PAGES} WHERE pages.id BETWEEN {first} AND {first + PG_CHUNK - 1}"
            )
        # The triggers rewrote each aggregate row once per page: VACUUM drops those dead
        # versions, as autovacuum soon does in a live database, so /total is timed on the
        # aggregates as they stay, not on the bulk load's leftovers.
        await conn.execute("VACUUM ANALYZE")


def _fill_sqlite(path: Path, tables: Iterable[Table]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        for table in tables:
            marks = ", ".join("?" for _ in table.columns)
            conn.executemany(
                f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})",
                table.rows,
            )
        conn.execute(LATEST_ON_PAGES)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


@asynccontextmanager
async def raw_postgres(url: str) -> AsyncIterator[Any]:
    """A plain asyncpg connection (`asyncpg.Connection`) to the database of `url`,
    outside any transaction, closed at the end."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            yield (await conn.get_raw_connection()).driver_connection
    finally:
        await engine.dispose()


@asynccontextmanager
async def connected(engine: Engine) -> AsyncIterator[Database]:
    """The project's `Database` on the engine's database, closed at the end."""
    db = Database(engine.target)
    await db.connect()
    try:
        yield db
    finally:
        await db.close()
