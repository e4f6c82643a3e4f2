"""The registry import at a region's scale and beyond: 20,000 rows, dry run and apply.

Generates a CSV of ROWS pages (UTF-8 with BOM, semicolons, names in either language,
figures typed as text, one row in ten naming an administrator: some who use the bot,
most who get an invite link) and imports it into a fresh database the way /import does,
timing in the same run:

- reading and parsing the file alone: the dry run's baseline;
- the dry run (read, check, look up registered links in one query, keep the rows);
- the apply (check again, write every page, figure, administrator and invite in one
  unit of work), and how long that unit of work held the database's writer;
- the same pages written one unit of work per row (a page and its first report, as
  registering them one by one would): the apply's baseline, in another fresh database;
- while the dry run and the apply run, another user's request (a read, then a one-row
  write) every few milliseconds: the worst time one took is what others would feel.

    python bench/registry_import.py                 # 20,000 rows
    python bench/registry_import.py --rows 2000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Sequence
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import LOCALES_DIR, PACKAGE_DIR
from bot.domain.registry_import import COLUMNS, SourceRow, check_rows
from bot.domain.roles import Actor, Role
from bot.i18n import build_i18n
from bot.services.registry_files import csv_bytes
from bot.services.registry_import import RegistryImportService
from bot.storage.database import Database
from bot.storage.records import User
from bot.storage.seed import seed_territories
from bot.texts.registry_import import vocabulary_names

NOW = 1_790_000_000
SUPERADMIN = 1
KNOWN_USERS = 500  # ids 1001.. use the bot already
T = TypeVar("T")

TERRITORIES = ["город Пенза", "Penza (city)", "kuznetsk", "ЗАТО Заречный", "Regional level"]
LEVELS = ["Муниципальный", "regional", "Federal body", "Учреждение", "settlement"]
THEMES = ["Культура", "sport", "Молодежь", "Education", "Здравоохранение", "other"]
LINKS = ["https://vk.com/club{n}", "ok.ru/group/{n}", "https://t.me/channel_{n}", "max.ru/p{n}"]


class Clock:
    def now(self) -> int:
        return NOW


def generate(rows: int, seed: int) -> bytes:
    rng = random.Random(seed)
    table = []
    for n in range(rows):
        admin = ""
        if n % 10 == 0:
            admin = f"{1001 + rng.randrange(KNOWN_USERS)}" if n % 30 == 0 else f"@admin_{n}"
        table.append(
            [
                rng.choice(LINKS).format(n=n + 1000),
                f"Учреждение культуры № {n}",
                rng.choice(TERRITORIES),
                rng.choice(LEVELS),
                rng.choice(THEMES),
                admin,
                f"{rng.randint(10, 99)} {rng.randint(0, 999):03d}",
            ]
        )
    return csv_bytes(COLUMNS, table)


async def fresh_database(folder: Path, name: str) -> Database:
    db = Database(folder / name)
    await db.connect()
    await seed_territories(db, PACKAGE_DIR / "data" / "territories_penza.csv")
    async with db.write() as repos:
        for user_id in (SUPERADMIN, *range(1001, 1001 + KNOWN_USERS)):
            await repos.users.touch(
                user_id, username=None, full_name="", language_code="ru", now=NOW
            )
    return db


async def other_user(db: Database, stop: asyncio.Event, waits: list[float]) -> None:
    """Another user's requests during the import: a read, then a one-row write."""
    while not stop.is_set():
        started = time.perf_counter()
        async with db.read() as repos:
            await repos.users.get(1001)
        async with db.write() as repos:
            await repos.users.set_locale(1001, "ru")
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(0.005)


async def beside_other_user(db: Database, work: Awaitable[T]) -> tuple[T, float, float]:
    """Run `work` while another user sends requests: (its result, its seconds, the
    worst seconds one of the other user's requests took)."""
    stop, waits = asyncio.Event(), [0.0]
    other = asyncio.create_task(other_user(db, stop, waits))
    started = time.perf_counter()
    try:
        result = await work
    finally:
        elapsed = time.perf_counter() - started
        stop.set()
        await other
    return result, elapsed, max(waits)


async def one_by_one(
    db: Database, rows: Sequence[SourceRow], service: RegistryImportService
) -> float:
    """The baseline: the same pages written one unit of work per row (a page and its
    first report), as registering them one at a time would."""
    checked = check_rows(rows, await service.vocabulary())
    started = time.perf_counter()
    for row in checked.rows:
        async with db.write() as repos:
            page_id = await repos.pages.create(
                link_key=row.link.key,
                url=row.link.url,
                platform=row.platform.value,
                title=row.title,
                territory_id=row.territory_id,
                level=row.level.value,
                theme=row.theme.value,
                created_by=SUPERADMIN,
                now=NOW,
            )
            if row.figure is not None:
                await repos.reports.add(
                    page_id=page_id,
                    figure=row.figure,
                    reported_by=SUPERADMIN,
                    update_id=None,
                    now=NOW,
                )
                await repos.pages.set_current_figure(page_id, row.figure, now=NOW)
    return time.perf_counter() - started


def per_thousand(seconds: float, rows: int) -> str:
    return f"{seconds:7.2f} s  ({seconds / rows * 1000 * 1000:7.1f} ms per 1,000 rows)"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = generate(args.rows, args.seed)
    names = vocabulary_names(build_i18n(LOCALES_DIR, "ru"))
    actor = Actor(SUPERADMIN, Role.SUPERADMIN)

    def notice(user: User, titles: Sequence[str]) -> str:
        return f"{user.id}: {len(titles)}"

    with tempfile.TemporaryDirectory() as folder:
        db = await fresh_database(Path(folder), "import.sqlite3")
        service = RegistryImportService(db, Clock(), names, invite_ttl_days=60)
        await service.vocabulary()

        started = time.perf_counter()
        rows = await service.read(data)
        parse = time.perf_counter() - started

        dry, dry_time, dry_wait = await beside_other_user(
            db, service.dry_run(actor, "bench.csv", data)
        )
        applied, apply_time, apply_wait = await beside_other_user(
            db, service.apply(actor, dry.import_id, notice)
        )
        await db.close()

        baseline_db = await fresh_database(Path(folder), "baseline.sqlite3")
        baseline_service = RegistryImportService(baseline_db, Clock(), names, invite_ttl_days=60)
        source = await baseline_service.read(data)
        serial = await one_by_one(baseline_db, source, baseline_service)
        await baseline_db.close()

    assert len(rows) == args.rows
    assert dry.good == applied.pages == args.rows, (dry.good, applied.pages, dry.problems[:3])
    print(f"{args.rows:,} rows, {len(data) / 2**20:.1f} MB of CSV")
    print(f"read and parse the file only       {per_thousand(parse, args.rows)}   baseline")
    print(
        f"dry run (read, check, keep)        {per_thousand(dry_time, args.rows)}"
        f"   {dry_time / parse:.1f}x the parse"
    )
    print(
        f"apply (check again, write)         {per_thousand(apply_time, args.rows)}"
        f"   writer held {applied.held_seconds:.2f} s"
    )
    print(f"one unit of work per row           {per_thousand(serial, args.rows)}   baseline")
    print(f"apply / one by one                 {apply_time / serial:.2f}x the time")
    print(
        f"apply's write / one by one         {applied.held_seconds / serial:.2f}x the time"
        f" the writer is held"
    )
    print(
        f"another user's worst request: {dry_wait * 1000:.0f} ms during the dry run,"
        f" {apply_wait * 1000:.0f} ms during the apply"
    )
    print(
        f"written: {applied.pages:,} pages, {applied.figures:,} figures,"
        f" {applied.admins:,} administrators ({applied.notified} told),"
        f" {len(applied.invites):,} invite links"
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
