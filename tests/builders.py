"""Data written straight into the database with the project's own repositories, for tests
that are about something else than how it got there."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL

from bot.domain.catalog import PageStatus
from bot.domain.segments import Segment
from bot.storage.attendance import AttendanceSource
from bot.storage.database import Database
from bot.storage.outbox import OutboxMessage
from bot.storage.records import User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar
from tests.clock import START
from tests.fakes.bot_api import FakeUser
from tests.harness import BotHarness

# Territory ids follow the order of the territories file: 2 is Penza, 4 is Kuznetsk.
PENZA, KUZNETSK = 2, 4
#: How long a test's own connection waits for the bot's writer (SQLite's busy timeout):
#: the bot holds the lock for milliseconds, a loaded machine can stretch that to seconds.
LOCK_WAIT_SECONDS = 60


@contextlib.asynccontextmanager
async def open_database(target: str | Path | URL) -> AsyncIterator[Database]:
    """The database at `target` (a path, a URL: another process's view of a test's
    database is `open_database(db.url)`), connected (so migrated) for the block and
    closed after it."""
    db = Database(target)
    await db.connect()
    try:
        yield db
    finally:
        await db.close()


async def add_user(repos: Repositories, user: FakeUser, *, now: int = START) -> None:
    """The user as the bot stores them when they first write."""
    await repos.users.touch(
        user.id,
        username=user.username,
        full_name=user.first_name,
        language_code=user.language_code,
        now=now,
    )


async def make_coordinator(bot: BotHarness, user: FakeUser, territory_id: int | None) -> None:
    """The user, stored, made a coordinator of `territory_id` (None: the whole region)."""
    async with bot.db.write() as repos:
        await add_user(repos, user)
        await repos.users.set_coordinator(user.id, is_coordinator=True, territory_id=territory_id)


async def add_page(
    repos: Repositories,
    link_key: str,
    *,
    created_by: int | None,
    territory_id: int = 1,
    now: int = START,
    title: str | None = None,
    url: str | None = None,
    platform: str = "vk",
    level: str = "municipal",
    theme: str = "culture",
    status: PageStatus = PageStatus.APPROVED,
    reason: str | None = None,
    decided_by: int | None = None,
    decided_at: int | None = None,
    figure: int | None = None,
) -> int:
    """A page registered by `created_by` (its administrator; the user row must exist) at
    `now`, then decided (`status`, approved unless told; by its creator and at `now`
    unless told) and given a current `figure`. Returns its id. `created_by` None: a
    page nobody registered (see `add_imported_page`); `decided_by` must be given."""
    page = await repos.pages.create(
        link_key=link_key,
        url=url if url is not None else f"https://{link_key}",
        platform=platform,
        title=title if title is not None else link_key,
        territory_id=territory_id,
        level=level,
        theme=theme,
        created_by=created_by,
        now=now,
    )
    if status is not PageStatus.PENDING:
        decider = created_by if decided_by is None else decided_by
        assert decider is not None, "a page nobody registered needs decided_by"
        decided = await repos.pages.decide(
            page,
            status=status,
            reason=reason,
            decided_by=decider,
            now=now if decided_at is None else decided_at,
        )
        assert decided, f"page {link_key} was not pending"
    if figure is not None:
        await repos.pages.set_current_figure(page, figure, now=now)
    return page


async def add_imported_page(
    repos: Repositories,
    link_key: str,
    *,
    importer: int,
    territory_id: int = 1,
    now: int = START,
    title: str | None = None,
    figure: int | None = None,
) -> int:
    """An approved page written by the registry import's own repository, as an applied
    import leaves it: no registrant, no administrator ever (unclaimed), approved by
    `importer` (the user row must exist) at `now`; its `figure`, if any, its first report,
    by nobody. Returns its id."""
    import_id = await repos.imports.create(file_name="registry.csv", created_by=importer, now=now)
    await repos.imports.add_pages(
        [
            {
                "link_key": link_key,
                "url": f"https://{link_key}",
                "platform": "vk",
                "title": title if title is not None else link_key,
                "territory_id": territory_id,
                "level": "municipal",
                "theme": "culture",
                "current_figure": figure,
                "reported_figure": figure,
                "last_report_at": now if figure is not None else None,
                "decided_by": importer,
                "decided_at": now,
                "created_at": now,
                "changed_at": now,
                "import_id": import_id,
                "status": PageStatus.APPROVED.value,
            }
        ]
    )
    page = (await repos.imports.page_ids(import_id))[link_key]
    if figure is not None:
        await repos.imports.add_reports(
            [{"page_id": page, "figure": figure, "reported_at": now, "import_id": import_id}]
        )
    assert await repos.imports.finish(import_id, now=now, pages=1)
    return page


async def add_seminar(
    repos: Repositories,
    *,
    created_by: int,
    starts_at: int,
    duration_minutes: int = 60,
    territory_id: int | None = None,
    segment: Segment | None = None,
    registered: Mapping[int, int] | Iterable[int] = (),
    title: str = "Seminar",
    description: str = "",
    place: str = "https://example.org/room",
    capacity: int | None = None,
    revision: int = 0,
    cancelled_at: int | None = None,
    checkin_code: str | None = None,
) -> int:
    """A seminar for `segment`, else one territory's administrators (None: the region's),
    announced by `created_by` (the user row must exist) at START, with `registered` users
    registered (a mapping: user id → when, Unix seconds; else at START). Returns its id."""
    territories = frozenset() if territory_id is None else frozenset({territory_id})
    seminar_id = await repos.seminars.create(
        Seminar(
            id=0,
            title=title,
            description=description,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            place=place,
            capacity=capacity,
            segment=segment or Segment(territories=territories),
            created_by=created_by,
            created_at=START,
            cancelled_at=cancelled_at,
            checkin_code=checkin_code,
            revision=revision,
        )
    )
    when = registered if isinstance(registered, Mapping) else dict.fromkeys(registered, START)
    for user_id, at in when.items():
        await repos.seminars.register(seminar_id, user_id, now=at)
    return seminar_id


async def seed_admins(bot: BotHarness, count: int, territory: int, first_id: int) -> list[FakeUser]:
    """`count` English-speaking administrators, each of one approved page in `territory`."""
    users = [
        bot.fake.add_user(FakeUser(id=first_id + n, first_name=f"Admin {n}", language_code="en"))
        for n in range(count)
    ]
    async with bot.db.write() as repos:
        for user in users:
            await repos.users.touch(
                user.id, username=None, full_name=user.first_name, language_code="en", now=START
            )
            await add_page(
                repos,
                f"vk.com/page{user.id}",
                created_by=user.id,
                territory_id=territory,
                title=f"Page {user.id}",
            )
    return users


async def seed_admins_of_both(
    bot: BotHarness, *, kuznetsk: int, penza: int
) -> tuple[list[FakeUser], list[FakeUser]]:
    """`seed_admins` in two territories: (`kuznetsk` administrators from id 1000, `penza`
    from id 2000)."""
    return (
        await seed_admins(bot, kuznetsk, KUZNETSK, 1000),
        await seed_admins(bot, penza, PENZA, 2000),
    )


async def user_row(db: Database, user_id: int) -> User:
    """A user as stored now (the row must exist)."""
    async with db.read() as repos:
        found = await repos.users.get(user_id)
    assert found is not None
    return found


async def outbox_row(db: Database, row_id: int) -> OutboxMessage:
    """A row of the delivery queue, as it is now."""
    async with db.read() as repos:
        found = await repos.outbox.get(row_id)
    assert found is not None
    return found


async def store_seminar(
    db: Database,
    *,
    starts_at: int,
    created_by: int,
    duration_minutes: int = 90,
    registered: Mapping[int, int] | None = None,
    segment: Segment | None = None,
) -> int:
    """A seminar "SMM <basics>" at a link with "&" in it, for `segment` (default: the whole
    region), and the people registered for it (user id → registered at, Unix seconds),
    committed; returns its id."""
    async with db.write() as repos:
        return await add_seminar(
            repos,
            created_by=created_by,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            segment=segment,
            registered=registered or {},
            title="SMM <basics>",
            place="https://example.org/room?a=1&b=2",
        )


async def execute(db: Database, sql: str, params: Mapping[str, Any]) -> None:
    """One write (named parameters) committed in a unit of work of its own, for a table
    whose repository belongs to another feature (a seminar cancelled)."""
    async with db.write() as repos:
        await repos.audit._run(sql, params)


async def query(
    db: Database, sql: str, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Every row of one read (named parameters), for a test that checks what a feature
    stored when no repository of it reads that back (the certificates issued)."""
    async with db.read() as repos:
        return await repos.audit._all(sql, params)


async def mark_attended(db: Database, seminar_id: int, user_id: int, *, now: int) -> None:
    """The person came to the seminar, as they mark it with its code."""
    async with db.write() as repos:
        await repos.attendance.mark(
            seminar_id, user_id, AttendanceSource.CODE, marked_by=None, now=now
        )
