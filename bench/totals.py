"""/total at national scale, against the naive query over the report history, on SQLite
and on PostgreSQL; and what the storage layer costs against raw aiosqlite.

On each engine (bench/engines.py: SQLite, then PostgreSQL on a server of its own when the
binaries are there), fills a database with PAGES approved pages and REPORTS reports spread
over a year, then times TotalsService.region() (what /total computes) and the naive query
that finds each page's latest report in the history, in the same run, checks both give the
same figures per territory, level, theme and platform, and prints their ratio.

On SQLite's file it then times small units of work through `Database` (SQLAlchemy Core
over aiosqlite) and the same statements, recorded as `Database` sent them, on a plain
aiosqlite connection, and prints the ratio of each.

    python bench/totals.py                      # 200,000 pages, 10,000,000 reports
                                                # (2,000,000 on PostgreSQL: --pg-reports)
    python bench/totals.py --pages 2000 --reports 100000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import Engine as SyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engines import POSTGRESQL, SQLITE, Engine, Table, engines, fill, raw_postgres
from bench.engines import territory_ids as seeded_territories
from bench.population import LEVELS, NOW, PLATFORMS, THEMES, YEAR
from bot.domain.milestones import Ladder
from bot.domain.roles import Actor, Role
from bot.services.totals import RegionTotals, TotalsService
from bot.storage.database import Database
from bot.storage.dialect import BUSY_TIMEOUT_MS

#: Each page's latest report, summed per segment: SQLite's bare column beside max() takes
#: the row of the maximum; PostgreSQL's DISTINCT ON keeps the first row of each page in
#: the order given. Report times of a page are distinct (see `tables`), so both agree.
NAIVE_QUERY = {
    SQLITE: """
SELECT p.territory_id, p.level, p.theme, p.platform, count(*), sum(latest.figure)
  FROM pages p
  JOIN (SELECT page_id, figure, max(reported_at) FROM reports GROUP BY page_id) latest
    ON latest.page_id = p.id
 WHERE p.status = 'approved'
 GROUP BY 1, 2, 3, 4
""",
    POSTGRESQL: """
SELECT p.territory_id, p.level, p.theme, p.platform, count(*), sum(latest.figure)
  FROM pages p
  JOIN (SELECT DISTINCT ON (page_id) page_id, figure FROM reports
         ORDER BY page_id, reported_at DESC) latest
    ON latest.page_id = p.id
 WHERE p.status = 'approved'
 GROUP BY 1, 2, 3, 4
""",
}

#: The most reports put in PostgreSQL by default: as many as SQLite gets, so both are
#: timed on the same data (PostgreSQL fills about 50,000 reports a second here, COPY then
#: the pages' triggers: 10,000,000 take some three minutes; lower it for a quick run).
PG_REPORTS = 10_000_000

PAGE_COLUMNS = [
    *("id", "link_key", "url", "platform", "title", "territory_id", "level", "theme"),
    *("status", "created_by", "created_at", "changed_at"),
]

#: {dimension: {key: (pages, subscribers)}}, as /total shows them.
Figures = dict[str, dict[str, tuple[int, int]]]


def tables(pages: int, reports: int, seed: int, territories: list[int]) -> list[Table]:
    """One user (id 1, who creates every page), `pages` approved pages and about
    `reports` reports, the same for a seed on every engine."""
    rng = random.Random(seed)
    per_page = max(1, reports // pages)
    page_rows = (
        (
            page,
            f"vk.com/p{page}",
            f"https://vk.com/p{page}",
            rng.choice(PLATFORMS),
            f"Page {page}",
            rng.choice(territories),
            rng.choice(LEVELS),
            rng.choice(THEMES),
            "approved",
            1,
            NOW - YEAR,
            NOW - YEAR,
        )
        for page in range(1, pages + 1)
    )

    def history() -> Iterator[tuple[int, int, int]]:
        # Strictly increasing times per page: one latest report each.
        step = YEAR // per_page
        for page in range(1, pages + 1):
            figure = rng.randint(50, 5_000)
            for index in range(per_page):
                figure = max(0, figure + rng.randint(-20, 60))
                yield page, figure, NOW - YEAR + index * step + rng.randint(0, step - 1)

    # Consumed in order (pages before reports): the same draws on every engine.
    return [
        Table("users", ("id", "created_at", "seen_at"), [(1, NOW, NOW)]),
        Table(
            "pages",
            PAGE_COLUMNS,
            page_rows,
        ),
        Table("reports", ("page_id", "figure", "reported_at"), history()),
    ]


def naive_figures(rows: list[tuple[Any, ...]]) -> Figures:
    """The naive query's segment rows summed per dimension, as /total shows them."""
    figures: Figures = defaultdict(dict)
    for territory, level, theme, platform, pages, subscribers in rows:
        for dimension, key in (
            ("territory", str(territory)),
            ("level", level),
            ("theme", theme),
            ("platform", platform),
        ):
            before = figures[dimension].get(key, (0, 0))
            figures[dimension][key] = (before[0] + pages, before[1] + int(subscribers))
    return dict(figures)


def totals_figures(result: RegionTotals) -> Figures:
    shares = (result.by_territory, result.by_level, result.by_theme, result.by_platform)
    return {
        items[0].dimension: {share.key: (share.pages, share.subscribers) for share in items}
        for items in shares
        if items
    }


async def time_naive(engine: Engine, runs: int) -> tuple[float, Figures]:
    """Median seconds of the naive query on a plain connection of the engine's driver."""
    timings, rows = [], []
    sql = NAIVE_QUERY[engine.name]
    if isinstance(engine.target, Path):
        conn = sqlite3.connect(engine.target)
        for _ in range(runs):
            start = time.perf_counter()
            rows = conn.execute(sql).fetchall()
            timings.append(time.perf_counter() - start)
        conn.close()
    else:
        async with raw_postgres(engine.target) as pg:
            for _ in range(runs):
                start = time.perf_counter()
                rows = [tuple(row) for row in await pg.fetch(sql)]
                timings.append(time.perf_counter() - start)
    return statistics.median(timings), naive_figures(rows)


class Clock:
    def now(self) -> int:
        return NOW


async def time_totals(db: Database, runs: int) -> tuple[float, RegionTotals]:
    """Median seconds of /total's computation, its cache warm as in the running bot."""
    service = TotalsService(db, Clock(), ladder=Ladder.every(50_000, goal=1_000_000))
    coordinator = Actor(1, Role.COORDINATOR)
    result = await service.region(coordinator)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        result = await service.region(coordinator)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


#: The statements (SQL, parameters) the engines sent while `_recording` holds a list.
_recording: list[list[tuple[str, Any]]] = []


@event.listens_for(SyncEngine, "before_cursor_execute")
def _record(
    conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
) -> None:
    del conn, cursor, context, executemany
    if _recording:
        _recording[-1].append((statement, parameters))


async def storage_cost(db: Database, path: Path, calls: int) -> list[tuple[str, float, float]]:
    """Seconds per call of small units of work through `db` and of the same statements
    on a plain aiosqlite connection to `path` (with the pragmas `Database` sets), each
    unit ended as `Database` ends it (a read rolled back, a write committed).

    Returns (unit, through Database, raw aiosqlite) for a user read by primary key,
    /total's breakdown query and a user's `touch` (the write of every update)."""

    async def user_by_id() -> None:
        async with db.read() as repos:
            await repos.users.get(1)

    async def breakdowns() -> None:
        async with db.read() as repos:
            await repos.totals.breakdowns()

    async def touch() -> None:
        async with db.write() as repos:
            await repos.users.touch(
                1, username=None, full_name="Bench", language_code="ru", now=NOW
            )

    units: list[tuple[str, Callable[[], Awaitable[None]], bool]] = [
        ("user by primary key (read)", user_by_id, False),
        ("/total's breakdown query (read)", breakdowns, False),
        ("touch a user (write unit)", touch, True),
    ]
    raw = await aiosqlite.connect(path, isolation_level=None)
    for pragma in (
        f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
        "PRAGMA foreign_keys = ON",
        "PRAGMA synchronous = NORMAL",
    ):
        await raw.execute(pragma)
    results = []
    try:
        for name, unit, writes in units:
            await unit()  # connections open, statements compiled
            _recording.append([])
            try:
                await unit()
            finally:
                statements = _recording.pop()

            async def replay(
                statements: list[tuple[str, Any]] = statements, writes: bool = writes
            ) -> None:
                for sql, parameters in statements:
                    async with raw.execute(sql, parameters) as cursor:
                        await cursor.fetchall()
                await (raw.commit() if writes else raw.rollback())

            await replay()
            through, plain = 0.0, 0.0
            rounds = 5  # alternated, so a change in the machine's load hits both
            for _ in range(rounds):
                start = time.perf_counter()
                for _ in range(calls // rounds):
                    await unit()
                through += time.perf_counter() - start
                start = time.perf_counter()
                for _ in range(calls // rounds):
                    await replay()
                plain += time.perf_counter() - start
            done = calls // rounds * rounds
            results.append((name, through / done, plain / done))
    finally:
        await raw.close()
    return results


async def run(engine: Engine, args: argparse.Namespace) -> Figures:
    """The benchmark on one engine; returns /total's figures."""
    print(f"== {engine.name} ==")
    pages, reports = args.pages, args.reports
    if not engine.is_sqlite:
        reports = min(reports, args.pg_reports)
    started = time.perf_counter()
    await fill(
        engine,
        tables(pages, reports, args.seed, await seeded_territories(engine)),
        pages,
    )
    print(
        f"filled {pages:,} pages and {reports:,} reports in {time.perf_counter() - started:.0f} s"
    )
    db = Database(engine.target)
    await db.connect()
    try:
        fast, result = await time_totals(db, args.runs)
        naive, naive_result = await time_naive(engine, args.naive_runs)
        figures = totals_figures(result)
        if figures != naive_result:
            raise SystemExit(f"{engine.name}: the figures disagree: {figures} != {naive_result}")
        print(f"/total computation: {fast * 1000:.2f} ms (median of {args.runs})")
        print(f"naive latest-report query: {naive * 1000:.0f} ms (median of {args.naive_runs})")
        print(f"ratio naive / /total: {naive / fast:.0f}x (target >= 100x; /total target < 50 ms)")
        print(
            f"same figures both ways: {result.subscribers:,} subscribers on {result.pages:,}"
            " pages, per territory, level, theme and platform"
        )
        if isinstance(engine.target, Path):
            print(f"storage layer against raw aiosqlite ({args.calls:,} calls each):")
            for name, through, plain in await storage_cost(db, engine.target, args.calls):
                print(
                    f"  {name}: Database {through * 1e6:.0f} µs, aiosqlite {plain * 1e6:.0f} µs,"
                    f" ratio {through / plain:.1f}x"
                )
    finally:
        await db.close()
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--reports", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument(
        "--pg-reports",
        type=int,
        default=PG_REPORTS,
        help="at most this many reports on PostgreSQL (its COPY and triggers fill slower)",
    )
    parser.add_argument("--calls", type=int, default=2_000, help="calls per storage unit")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        async with aclosing(engines(Path(folder))) as each:
            async for engine in each:
                figures[engine.name] = await run(engine, args)
    if len(figures) == 2 and args.reports <= args.pg_reports:
        if figures[SQLITE] != figures[POSTGRESQL]:
            raise SystemExit("SQLite and PostgreSQL disagree on the same data")
        print("both engines: the same figures from the same data")


if __name__ == "__main__":
    asyncio.run(main())
