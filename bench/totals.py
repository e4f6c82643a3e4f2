"""/total at national scale, against the naive query over the report history.

Fills a database with PAGES approved pages and REPORTS reports spread over a year, then
times TotalsService.region() (what /total computes) and the naive query that finds each
page's latest report in the history, in the same run, and prints their ratio.

    python bench/totals.py                      # 200,000 pages, 10,000,000 reports
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
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.population import LEVELS, NOW, PLATFORMS, THEMES, YEAR
from bot.config import PACKAGE_DIR
from bot.domain.milestones import Ladder
from bot.domain.roles import Actor, Role
from bot.services.totals import TotalsService
from bot.storage.database import Database
from bot.storage.seed import seed_territories

NAIVE_QUERY = """
SELECT p.territory_id, p.level, p.theme, p.platform, count(*), sum(latest.figure)
  FROM pages p
  JOIN (SELECT page_id, figure, max(reported_at) FROM reports GROUP BY page_id) latest
    ON latest.page_id = p.id
 WHERE p.status = 'approved'
 GROUP BY 1, 2, 3, 4
"""


def fill(path: Path, pages: int, reports: int, seed: int) -> None:
    rng = random.Random(seed)
    per_page = max(1, reports // pages)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    territories = [row[0] for row in conn.execute("SELECT id FROM territories")]
    conn.execute("BEGIN")
    conn.execute("INSERT INTO users (id, created_at, seen_at) VALUES (1, ?, ?)", (NOW, NOW))
    conn.executemany(
        "INSERT INTO pages (id, link_key, url, platform, title, territory_id, level, theme,"
        " status, created_by, created_at, changed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'approved', 1, ?, ?)",
        (
            (
                page,
                f"vk.com/p{page}",
                f"https://vk.com/p{page}",
                rng.choice(PLATFORMS),
                f"Page {page}",
                rng.choice(territories),
                rng.choice(LEVELS),
                rng.choice(THEMES),
                NOW - YEAR,
                NOW - YEAR,
            )
            for page in range(1, pages + 1)
        ),
    )

    def history() -> Iterator[tuple[int, int, int]]:
        step = YEAR // per_page
        for page in range(1, pages + 1):
            figure = rng.randint(50, 5_000)
            for index in range(per_page):
                figure = max(0, figure + rng.randint(-20, 60))
                yield page, figure, NOW - YEAR + index * step + rng.randint(0, step - 1)

    conn.executemany(
        "INSERT INTO reports (page_id, figure, reported_at) VALUES (?, ?, ?)", history()
    )
    # What the bot keeps on each page row as reports arrive, set here in one pass.
    conn.execute(
        "UPDATE pages SET (current_figure, last_report_at, changed_at) ="
        " (SELECT figure, reported_at, reported_at FROM reports r WHERE r.page_id = pages.id"
        "  ORDER BY reported_at DESC LIMIT 1)"
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def time_naive(path: Path, runs: int) -> tuple[float, int]:
    conn = sqlite3.connect(path)
    timings, total = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        rows = conn.execute(NAIVE_QUERY).fetchall()
        timings.append(time.perf_counter() - start)
        total = sum(row[5] for row in rows)
    conn.close()
    return statistics.median(timings), total


async def time_totals(path: Path, runs: int) -> tuple[float, int]:
    class Clock:
        def now(self) -> int:
            return NOW

    db = Database(path)
    await db.connect()
    service = TotalsService(db, Clock(), ladder=Ladder.every(50_000, goal=1_000_000))
    coordinator = Actor(1, Role.COORDINATOR)
    await service.region(coordinator)  # warm the page cache as the running bot would be
    timings = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = await service.region(coordinator)
        timings.append(time.perf_counter() - start)
    await db.close()
    assert result is not None
    return statistics.median(timings), result.subscribers


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--reports", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        db = Database(path)
        await db.connect()
        await seed_territories(db, PACKAGE_DIR / "data" / "territories_penza.csv")
        await db.close()
        started = time.perf_counter()
        fill(path, args.pages, args.reports, args.seed)
        print(
            f"filled {args.pages:,} pages and {args.reports:,} reports"
            f" in {time.perf_counter() - started:.0f} s"
        )
        fast, fast_total = await time_totals(path, args.runs)
        naive, naive_total = time_naive(path, args.naive_runs)
    if fast_total != naive_total:
        raise SystemExit(f"totals disagree: {fast_total} != {naive_total}")
    print(f"/total computation: {fast * 1000:.2f} ms (median of {args.runs})")
    print(f"naive latest-report query: {naive * 1000:.0f} ms (median of {args.naive_runs})")
    print(f"ratio naive / /total: {naive / fast:.0f}x (target >= 100x; /total target < 50 ms)")


if __name__ == "__main__":
    asyncio.run(main())
