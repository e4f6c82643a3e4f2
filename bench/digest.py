"""The weekly digests of every administrator, batched against one digest at a time, on
SQLite and on PostgreSQL (bench/engines.py: a server of its own, when the binaries are
there).

On each engine, fills a database with PAGES approved pages (REPORTS_PER_PAGE reports each
over a year, the last ones spread over the last two months) administered by ADMINS users,
two or so pages each, then in the same run:

- batched: `DigestService.compose_many()` over every administrator: the handful of
  queries of a run (ranks by window functions, last week's figures by one windowed
  query) and every digest rendered in its recipient's language and cut to Telegram's
  size, as `run_due()` does before it queues them;
- per user: each digest of a SAMPLE of administrators composed with its own fresh
  queries (the user's pages; per page its figure before the week and its ranks in its
  theme and its territory; the territory names) and the same renderer. The sample's
  texts must equal the batched ones;
- `run_due()` itself once: the batched path plus the inserts of every digest's rows.

Prints time per digest for each path, their ratio (target >= 20x), and the process's peak
memory (target < 300 MB).

    python bench/digest.py                              # 100,000 admins, 200,000 pages
    python bench/digest.py --admins 5000 --pages 10000  # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import aclosing
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.utils.i18n import I18n

from bench.engines import Engine, Table, connected, engines, fill, territory_ids
from bench.population import FIRST_USER, LEVELS, NOW, PLATFORMS, THEMES, YEAR, page_admin_rows
from bot.config import LOCALES_DIR, Settings, load_settings
from bot.domain.catalog import PageStatus
from bot.domain.digests import SILENT_DAYS, PageFigures
from bot.domain.localtime import DAY, WEEK
from bot.domain.messages import split_message
from bot.i18n import build_i18n
from bot.services.digests import Digest, DigestRenderer, DigestService
from bot.storage.database import Database
from bot.storage.records import User
from bot.storage.repositories import Repositories
from bot.storage.silence import is_silent, silence_cutoff
from bot.texts.digests import digest_renderer


class Clock:
    def now(self) -> int:
        return NOW


def tables(
    admins: int, pages: int, per_page: int, seed: int, territories: list[int]
) -> list[Table]:
    """`admins` users, `pages` approved pages among them (bench.population) with
    `per_page` reports each: the same for a seed on every engine."""
    rng = random.Random(seed)
    page_rows = (
        (
            page,
            f"vk.com/p{page}",
            f"https://vk.com/p{page}",
            rng.choice(PLATFORMS),
            f"Страница & «паблик» {page}",
            rng.choice(territories),
            rng.choice(LEVELS),
            rng.choice(THEMES),
            "approved",
            FIRST_USER + (page - 1) % admins,
            NOW - YEAR,
            NOW - YEAR,
            NOW - YEAR,
        )
        for page in range(1, pages + 1)
    )

    def history() -> Iterator[tuple[int, int, int]]:
        for page in range(1, pages + 1):
            figure = rng.randint(50, 5_000)
            # Reports over the year; the latest somewhere in the last two months, so
            # about one page in eight reported this week.
            last = NOW - rng.randint(0, 60 * DAY)
            step = (last - (NOW - YEAR)) // per_page
            for index in range(per_page):
                figure = max(0, figure + rng.randint(-20, 60))
                yield page, figure, last - (per_page - 1 - index) * step

    # Consumed in order (pages before reports): the same draws on every engine.
    return [
        Table(
            "users",
            ("id", "full_name", "language_code", "created_at", "seen_at"),
            (
                (FIRST_USER + n, f"Admin {n}", "ru" if n % 4 else "en", NOW - YEAR, NOW - YEAR)
                for n in range(admins)
            ),
        ),
        Table("pages", PAGE_COLUMNS, page_rows),
        Table("page_admins", ("page_id", "user_id", "added_at"), page_admin_rows(pages, admins)),
        Table("reports", ("page_id", "figure", "reported_at"), history()),
    ]


PAGE_COLUMNS = [
    *("id", "link_key", "url", "platform", "title", "territory_id", "level", "theme"),
    *("status", "created_by", "created_at", "decided_at", "changed_at"),
]


async def compose_alone(
    repos: Repositories, user: User, render: DigestRenderer, period: str, now: int
) -> list[str]:
    """One digest with its own queries: what a per-user job would do for each user.
    (Raw SQL goes through the digest repository's query helper.)"""
    since = now - WEEK
    territories = {t.id: t for t in await repos.territories.all()}
    figures = []
    for page in await repos.pages.of_admin(user.id):
        theme_rank = territory_rank = None
        theme_pages = territory_pages = 0
        change = None
        approved = page.status is PageStatus.APPROVED
        if approved and page.current_figure is not None:
            theme_rank, theme_pages = await _rank(repos, "theme", page.theme, page.current_figure)
            territory_rank, territory_pages = await _rank(
                repos, "territory_id", page.territory_id, page.current_figure
            )
            if page.last_report_at is not None and page.last_report_at >= since:
                before = await repos.digests._all(
                    "SELECT figure FROM reports WHERE page_id = :page AND reported_at < :since"
                    " ORDER BY reported_at DESC, id DESC LIMIT 1",
                    {"page": page.id, "since": since},
                )
                change = page.current_figure - before[0][0] if before else None
            elif page.last_report_at is not None:
                change = 0
        silent = await repos.digests._all(
            f"SELECT 1 FROM pages p WHERE p.id = :page AND {is_silent('p', 'cutoff')}",
            {"page": page.id, "cutoff": silence_cutoff(now, SILENT_DAYS)},
        )
        figures.append(
            PageFigures(
                page_id=page.id,
                title=page.title,
                approved=approved,
                theme=page.theme,
                territory_id=page.territory_id,
                figure=page.current_figure,
                change=change,
                last_report_at=page.last_report_at,
                silent=bool(silent),
                theme_rank=theme_rank,
                theme_pages=theme_pages,
                territory_rank=territory_rank,
                territory_pages=territory_pages,
            )
        )
    digest = Digest(
        user=user,
        period=period,
        since=since,
        until=now,
        overview=None,
        pages=figures,
        territories=territories,
    )
    return split_message(render(digest))


async def _rank(repos: Repositories, column: str, value: object, figure: int) -> tuple[int, int]:
    rows = await repos.digests._all(
        "SELECT 1 + coalesce(sum(CASE WHEN current_figure > :figure THEN 1 ELSE 0 END), 0),"
        f" count(*) FROM pages"
        f" WHERE status = 'approved' AND current_figure IS NOT NULL AND {column} = :value",
        {"figure": figure, "value": value},
    )
    return int(rows[0][0]), int(rows[0][1])


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--admins", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--reports-per-page", type=int, default=5)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    settings = load_settings(_env_file=None, bot_token="1:bench")
    i18n = build_i18n(LOCALES_DIR, settings.default_locale)
    with tempfile.TemporaryDirectory() as folder:
        async with aclosing(engines(Path(folder))) as each:
            async for engine in each:
                await run(engine, args, settings, i18n)


async def run(engine: Engine, args: argparse.Namespace, settings: Settings, i18n: I18n) -> None:
    """The benchmark on one engine."""
    print(f"== {engine.name} ==")
    started = time.perf_counter()
    territories = await territory_ids(engine)
    rows = tables(args.admins, args.pages, args.reports_per_page, args.seed, territories)
    await fill(engine, rows, args.pages)
    print(
        f"filled {args.admins:,} administrators, {args.pages:,} pages and"
        f" {args.pages * args.reports_per_page:,} reports"
        f" in {time.perf_counter() - started:.0f} s; peak memory so far {peak_mb():.0f} MB"
    )
    async with connected(engine) as db:
        result = await measure(db, settings, i18n, args.admins, args.sample)
    report(result)


@dataclass(frozen=True)
class Result:
    digests: int
    messages: int
    characters: int
    batched_time: float
    batched_peak: float
    sample: int
    alone_time: float
    run_time: float


async def measure(db: Database, settings: Settings, i18n: I18n, admins: int, size: int) -> Result:
    render = digest_renderer(i18n, settings)
    service = DigestService(db, Clock(), settings, render, wake=lambda: None)
    period = service.period_of(NOW)
    async with db.read() as repos:
        users = await repos.digests.recipients(period=period, superadmins=())
    if len(users) != admins:
        raise SystemExit(f"expected {admins} recipients, found {len(users)}")

    # Batched: every digest from one gathering.
    sample_ids = {user.id for user in random.Random(2).sample(users, min(size, len(users)))}
    batched: dict[int, list[str]] = {}
    messages = characters = 0
    started = time.perf_counter()
    async for user, parts in service.compose_many(users):
        messages += len(parts)
        characters += sum(len(part) for part in parts)
        if user.id in sample_ids:
            batched[user.id] = parts
    batched_time = time.perf_counter() - started
    batched_peak = peak_mb()

    # Per user: the sample, each digest with its own queries.
    sample = [user for user in users if user.id in sample_ids]
    alone: dict[int, list[str]] = {}
    started = time.perf_counter()
    for user in sample:
        async with db.read() as repos:
            alone[user.id] = await compose_alone(repos, user, render, period, NOW)
    alone_time = time.perf_counter() - started
    for user_id in sorted(sample_ids):
        if alone[user_id] != batched[user_id]:
            raise SystemExit(
                f"user {user_id}: the paths disagree\n{batched[user_id]}\n{alone[user_id]}"
            )

    # run_due: the batched path plus the rows it queues.
    started = time.perf_counter()
    queued = await service.run_due()
    run_time = time.perf_counter() - started
    if queued != len(users):
        raise SystemExit(f"run_due queued {queued} of {len(users)}")
    return Result(
        len(users),
        messages,
        characters,
        batched_time,
        batched_peak,
        len(sample),
        alone_time,
        run_time,
    )


def report(result: Result) -> None:
    users = result.digests
    per_batched = result.batched_time / users
    per_alone = result.alone_time / result.sample
    print(
        f"digests: {users:,} ({result.messages:,} messages,"
        f" {result.characters / users:.0f} characters each on average)"
    )
    print(
        f"batched: {result.batched_time:.1f} s in all, {per_batched * 1e6:.0f} µs per digest"
        f" (peak memory by then {result.batched_peak:.0f} MB)"
    )
    print(
        f"per user, fresh queries: {result.alone_time:.1f} s for {result.sample:,} digests,"
        f" {per_alone * 1e6:.0f} µs per digest; {per_alone * users:.0f} s extrapolated"
        f" to {users:,}; texts identical to the batched ones"
    )
    print(f"ratio per user / batched: {per_alone / per_batched:.0f}x (target >= 20x)")
    print(
        f"run_due (batched + queuing every digest): {result.run_time:.1f} s,"
        f" {result.run_time / users * 1e6:.0f} µs per digest"
    )
    print(f"peak memory of the process: {peak_mb():.0f} MB (target < 300 MB)")


if __name__ == "__main__":
    asyncio.run(main())
