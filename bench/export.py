"""/export at national scale: streamed into a file against built in memory.

Fills a database with PAGES pages (one in twenty pending, the rest approved; a tenth with
a second administrator) and REPORTS reports spread over a year, then exports the pages
and the whole report history, each to XLSX and to CSV, two ways in the same run:

- streamed: `ExportService.export()` as /export runs it: a snapshot read in batches,
  each batch written (openpyxl's write-only mode, csv) in a worker thread;
- in memory, the baseline: every row fetched at once and turned into the same cells,
  then an ordinary openpyxl `Workbook` holding every cell, saved at the end; or the
  whole CSV written into one string and then to the file.

Each export runs in a child process of its own, so one run's memory never counts for
another: its peak is the child's maximum resident set size as `os.wait4()` reports it
for that child (`ru_maxrss`, KiB on Linux). Resident memory is what the machine pays,
and it counts what tracemalloc misses (openpyxl's C-level buffers, SQLite's cache); the
price is the interpreter and its imports, the same in both children, which the child
measures before it starts exporting, so "own" is the peak above it. The CSV files of
both ways must be byte for byte the same (their SHA-256 is compared).

Prints time, peak and own memory of each run, and the ratios of in-memory to streamed
(target: peak memory at least 5x lower when streaming).

    python bench/export.py                                 # 200,000 pages, 1,000,000 reports
    python bench/export.py --pages 20000 --reports 100000  # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import codecs
import csv
import hashlib
import io
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bench.population import FIRST_USER, LEVELS, NOW, PLATFORMS, THEMES, YEAR, add_page_admins
from bot.domain.exports import COLUMNS, Column, ExportFormat, ExportKind, ExportNames
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.services.exports import ExportRequest, ExportService, page_cells, report_cells
from bot.services.spreadsheets import Cell
from bot.storage.database import Database
from bot.storage.repositories import Repositories

KINDS = (ExportKind.PAGES, ExportKind.REPORTS)
WAYS = ("streamed", "in memory")
MB = 1024 * 1024


class Clock:
    def now(self) -> int:
        return NOW


def fill(path: Path, pages: int, reports: int, seed: int) -> None:
    """Users, pages, administrators and reports by bulk SQL (seconds, not minutes)."""
    rng = random.Random(seed)
    admins = max(1, pages // 2)
    per_page, extra = divmod(reports, pages)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    territories = [row[0] for row in conn.execute("SELECT id FROM territories")]
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO users (id, username, full_name, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
        (
            (FIRST_USER + n, f"admin_{n}" if n % 4 else None, f"Админ {n}", NOW - YEAR, NOW)
            for n in range(admins)
        ),
    )
    history: list[tuple[int, int, int, int]] = []

    def rows() -> Iterator[tuple[object, ...]]:
        for page in range(1, pages + 1):
            count = per_page + (1 if page <= extra else 0)
            figure = rng.randint(50, 5_000)
            moment = NOW
            for index in range(count):  # evenly over the year, a few hours apart per page
                figure = max(figure + rng.randint(-20, 80), 0)
                moment = NOW - YEAR + (index + 1) * (YEAR // (count + 1)) + rng.randint(0, DAY)
                history.append((page, figure, moment, FIRST_USER + (page - 1) % admins))
            approved = page % 20 != 0
            yield (
                page,
                f"vk.com/p{page}",
                f"https://vk.com/p{page}",
                rng.choice(PLATFORMS),
                f"Страница «паблик» № {page}; Пенза",
                rng.choice(territories),
                rng.choice(LEVELS),
                rng.choice(THEMES),
                "approved" if approved else "pending",
                FIRST_USER + (page - 1) % admins,
                NOW - YEAR,
                NOW - YEAR,
                figure if approved and count else None,
                moment if approved and count else None,
            )

    conn.executemany(
        "INSERT INTO pages (id, link_key, url, platform, title, territory_id, level, theme,"
        " status, created_by, created_at, changed_at, current_figure, last_report_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    add_page_admins(conn, pages, admins)
    conn.executemany(
        "INSERT INTO reports (page_id, figure, reported_at, reported_by) VALUES (?, ?, ?, ?)",
        history,
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


# --------------------------------------------------------------------------- one run


def read_names(path: Path) -> ExportNames:
    """The names `prepare` wrote: built by the bot's texts in the parent, so that the
    children never import aiogram (its 160 MB would sit in both peaks alike)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return ExportNames(
        territories={int(key): value for key, value in data["territories"].items()},
        levels=data["levels"],
        themes=data["themes"],
        platforms=data["platforms"],
        statuses=data["statuses"],
        tz=ZoneInfo(data["tz"]),
        whole_region=data["whole_region"],
    )


async def all_cells(repos: Repositories, kind: ExportKind, names: ExportNames) -> list[list[Cell]]:
    """Every row of `kind` as cells, fetched at once: what the naive export holds."""
    huge = 2**31 - 1  # one batch of every row (fetchmany takes a C int)
    if kind is ExportKind.PAGES:
        pages = [
            page
            async for batch in repos.exports.pages(territory_id=None, size=huge)
            for page in batch
        ]
        admins = await repos.exports.administrators([page.id for page in pages])
        return [page_cells(page, admins.get(page.id, []), names) for page in pages]
    reports = [
        report
        async for batch in repos.exports.reports(
            territory_id=None, since=None, until=NOW, size=huge
        )
        for report in batch
    ]
    return [report_cells(report, names) for report in reports]


def save_in_memory(
    rows: list[list[Cell]], fmt: ExportFormat, columns: Sequence[Column], path: Path
) -> None:
    if fmt is ExportFormat.XLSX:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append([column.name for column in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        workbook.save(path)
        return
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";")
    writer.writerow([column.name for column in columns])
    writer.writerows(rows)
    path.write_bytes(codecs.BOM_UTF8 + text.getvalue().encode("utf-8"))


def csv_digest(paths: Sequence[Path]) -> str:
    """SHA-256 of CSV parts read as one file: the byte order mark and header that start
    every later part are left out. Read a megabyte at a time, not to add to the peak."""
    sha = hashlib.sha256()
    header = b""
    for index, path in enumerate(paths):
        with path.open("rb") as file:
            line = file.readline()
            if index == 0:
                header = line
                sha.update(header)
            elif line != header:
                raise SystemExit(f"{path.name} does not start with the header")
            while chunk := file.read(MB):
                sha.update(chunk)
    return sha.hexdigest()


async def child(database: Path, kind: ExportKind, fmt: ExportFormat, way: str) -> dict[str, object]:
    """One export; what the parent prints, as a dict."""
    db = Database(database)
    await db.connect()
    try:
        names = read_names(database.with_suffix(".names.json"))
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        if way == "streamed":
            service = ExportService(db, Clock())
            actor = Actor(1, Role.SUPERADMIN)
            async with service.export(actor, ExportRequest(kind, fmt), names) as files:
                seconds = time.perf_counter() - started
                rows, paths = files.rows, files.paths
                size = sum(path.stat().st_size for path in paths)
                sha = csv_digest(paths) if fmt is ExportFormat.CSV else ""
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"{kind.value}.{fmt.value}"
                async with db.snapshot() as repos:
                    cells = await all_cells(repos, kind, names)
                save_in_memory(cells, fmt, COLUMNS[kind], path)
                seconds = time.perf_counter() - started
                rows, paths, size = len(cells), [path], path.stat().st_size
                del cells
                sha = csv_digest(paths) if fmt is ExportFormat.CSV else ""
    finally:
        await db.close()
    return {
        "rows": rows,
        "files": len(paths),
        "bytes": size,
        "seconds": seconds,
        "baseline_kib": baseline,
        "sha": sha,
    }


# --------------------------------------------------------------------------- the parent


@dataclass(frozen=True)
class Run:
    kind: ExportKind
    fmt: ExportFormat
    way: str
    rows: int
    files: int
    size: int
    seconds: float
    peak_mb: float
    own_mb: float
    sha: str


def run(database: Path, kind: ExportKind, fmt: ExportFormat, way: str) -> Run:
    """One export in a child process; its peak memory from `os.wait4()` on that child."""
    command = [sys.executable, __file__, "--child", str(database), kind.value, fmt.value, way]
    process = subprocess.Popen(command, stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{kind} {fmt} {way}: the child failed ({process.returncode})")
    result = json.loads(output)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    return Run(
        kind,
        fmt,
        way,
        int(result["rows"]),
        int(result["files"]),
        int(result["bytes"]),
        float(result["seconds"]),
        peak,
        peak - int(result["baseline_kib"]) / 1024,
        str(result["sha"]),
    )


def report(runs: list[Run]) -> bool:
    """Print every pair; True when every one meets the target."""
    met = True
    for kind in KINDS:
        for fmt in ExportFormat:
            streamed, in_memory = (
                next(r for r in runs if (r.kind, r.fmt, r.way) == (kind, fmt, way)) for way in WAYS
            )
            if streamed.rows != in_memory.rows or streamed.sha != in_memory.sha:
                raise SystemExit(f"{kind} {fmt}: the two ways wrote different files")
            for item in (streamed, in_memory):
                print(
                    f"{kind.value:8} {fmt.value:4} {item.way:9}: {item.rows:>9,} rows,"
                    f" {item.size / MB:6.1f} MB in {item.files} file(s), {item.seconds:6.1f} s,"
                    f" peak {item.peak_mb:7.0f} MB (own {max(item.own_mb, 0):6.0f} MB)"
                )
            ratio = in_memory.peak_mb / streamed.peak_mb
            own = in_memory.own_mb / max(streamed.own_mb, 1)
            met = met and ratio >= 5
            print(
                f"{kind.value:8} {fmt.value:4} ratio in memory / streamed: peak {ratio:.1f}x"
                f" (target >= 5x), own {own:.0f}x, time {in_memory.seconds / streamed.seconds:.2f}x"
            )
    return met


async def prepare(database: Path) -> None:
    """The schema and territories, and the names exports write, in Russian."""
    from bot.config import LOCALES_DIR, PACKAGE_DIR, load_settings
    from bot.i18n import build_i18n, speaking
    from bot.storage.seed import seed_territories
    from bot.texts.export import export_names

    settings = load_settings(_env_file=None, bot_token="1:bench")
    db = Database(database)
    await db.connect()
    try:
        await seed_territories(db, PACKAGE_DIR / "data" / "territories_penza.csv")
        async with db.read() as repos:
            territories = await repos.territories.all()
    finally:
        await db.close()
    with speaking(build_i18n(LOCALES_DIR, settings.default_locale), "ru"):
        names = export_names(territories, "ru", settings.tz, settings.region_name)
    stored = {
        "territories": {str(key): value for key, value in names.territories.items()},
        "levels": dict(names.levels),
        "themes": dict(names.themes),
        "platforms": dict(names.platforms),
        "statuses": dict(names.statuses),
        "tz": settings.timezone,
        "whole_region": names.whole_region,
    }
    database.with_suffix(".names.json").write_text(json.dumps(stored), encoding="utf-8")


def main() -> None:
    # Linux counts a process's peak from before its exec: a child inherits its parent's
    # peak. So the parent stays small, and the database is filled by a child too.
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        path, kind, fmt, way = sys.argv[2:6]
        result = asyncio.run(child(Path(path), ExportKind(kind), ExportFormat(fmt), way))
        print(json.dumps(result))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--fill":
        path, pages, reports, seed = sys.argv[2:6]
        asyncio.run(prepare(Path(path)))
        fill(Path(path), int(pages), int(reports), int(seed))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--fill", str(database)]
            + [str(value) for value in (args.pages, args.reports, args.seed)],
            check=True,
        )
        print(
            f"filled {args.pages:,} pages and {args.reports:,} reports"
            f" in {time.perf_counter() - started:.0f} s"
        )
        runs = [
            run(database, kind, fmt, way) for kind in KINDS for fmt in ExportFormat for way in WAYS
        ]
    if not report(runs):
        print("target missed")


if __name__ == "__main__":
    main()
