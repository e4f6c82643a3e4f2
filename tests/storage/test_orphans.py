"""Orphaned pages in SQL follow the rule of bot.domain.claims; who left and who became
unreachable is kept with its date; migration 0012 gives old data the same meaning."""

from __future__ import annotations

import itertools
import sqlite3
from contextlib import closing
from pathlib import Path

from bot.domain.catalog import PageStatus
from bot.domain.claims import Custody, Keepers, custody
from bot.storage.database import Database
from bot.storage.migrate import migration_files
from bot.storage.repositories import Repositories
from tests.builders import KUZNETSK, PENZA, add_imported_page, add_page, open_database
from tests.clock import START

IMPORTER = 1


async def admin_of(repos: Repositories, page: int, user: int, *, reachable: bool, at: int) -> None:
    """`user` administers `page`; unreachable since `at` unless `reachable`."""
    await repos.users.ensure(user, now=START)
    await repos.pages.add_admin(page, user, now=START)
    if not reachable:
        await repos.users.set_reachable(user, False, now=at)


async def test_the_orphaned_pages_are_those_the_domain_rule_calls_orphaned(db: Database) -> None:
    """Every mix of reachable, unreachable and departed administrators, approved and
    pending: the list, the count and each page's keepers agree with `custody`; the
    latest loss names the last administrator and the date."""
    expected: dict[int, tuple[int, int, bool]] = {}  # page → last admin, since, left
    pages: list[tuple[int, PageStatus, Keepers]] = []
    user = 100
    async with db.write() as repos:
        await repos.users.ensure(IMPORTER, now=START)
        combinations = itertools.product(
            (PageStatus.APPROVED, PageStatus.PENDING), (0, 1), (0, 1, 2), (0, 1)
        )
        for n, (status, reachable, unreachable, departed) in enumerate(combinations):
            if status is PageStatus.APPROVED:
                page = await add_imported_page(repos, f"vk.com/mix{n}", importer=IMPORTER)
            else:
                page = await add_page(repos, f"vk.com/mix{n}", created_by=None, status=status)
            losses: list[tuple[int, int, bool]] = []
            for k in range(reachable + unreachable + departed):
                user += 1
                at = START + 1000 * n + 10 * k
                if k < reachable:
                    await admin_of(repos, page, user, reachable=True, at=at)
                elif k < reachable + unreachable:
                    await admin_of(repos, page, user, reachable=False, at=at)
                    losses.append((user, at, False))
                else:
                    await admin_of(repos, page, user, reachable=True, at=at)
                    assert await repos.pages.remove_admin(page, user, now=at)
                    losses.append((user, at, True))
            keepers = Keepers(reachable, unreachable, departed)
            pages.append((page, status, keepers))
            if status is PageStatus.APPROVED and custody(keepers) is Custody.ORPHANED:
                expected[page] = max(losses, key=lambda loss: loss[1])

    async with db.read() as repos:
        for page, _status, keepers in pages:
            assert await repos.orphans.keepers(page) == keepers
        listed = await repos.orphans.listed(territory_id=None, limit=None)
        count = await repos.orphans.count(territory_id=None)
    assert {o.page.id: (o.last_admin.id, o.since, o.left) for o in listed} == expected
    assert count == len(expected) == 5  # approved, nobody reachable, someone lost
    # The most recently orphaned first.
    assert [o.since for o in listed] == sorted((o.since for o in listed), reverse=True)


async def test_unreachable_since_is_the_first_403_and_clears_when_the_user_writes(
    db: Database,
) -> None:
    async def since() -> object:
        async with db.read() as repos:
            return await repos.users._scalar("SELECT unreachable_since FROM users WHERE id = 5")

    async with db.write() as repos:
        await repos.users.touch(5, username="ann", full_name="Ann", language_code="en", now=START)
        await repos.users.set_reachable(5, False, now=START + 10)
        await repos.users.set_reachable(5, False, now=START + 20)
    assert await since() == START + 10
    async with db.write() as repos:
        await repos.users.touch(5, username="ann", full_name="Ann", language_code="en", now=START)
    assert await since() is None
    async with db.write() as repos:
        await repos.users.set_reachable(5, False, now=START + 30)
        await repos.users.set_reachable(5, True, now=START + 40)
    assert await since() is None


async def test_pages_orphaned_in_a_period_are_counted_by_territory(db: Database) -> None:
    async with db.write() as repos:
        await repos.users.ensure(IMPORTER, now=START)
        for n, (territory, left_at) in enumerate(
            [(PENZA, START - 10), (PENZA, START + 5), (PENZA, START + 50), (KUZNETSK, START + 7)]
        ):
            page = await add_imported_page(
                repos, f"vk.com/week{n}", importer=IMPORTER, territory_id=territory
            )
            await admin_of(repos, page, 200 + n, reachable=True, at=left_at)
            await repos.pages.remove_admin(page, 200 + n, now=left_at)
        # Imported and never administered: unclaimed, not orphaned.
        await add_imported_page(repos, "vk.com/never", importer=IMPORTER, territory_id=PENZA)
    async with db.read() as repos:
        assert await repos.orphans.became(since=START, until=START + 50) == {PENZA: 1, KUZNETSK: 1}
        assert await repos.orphans.count(territory_id=PENZA) == 3
        assert await repos.orphans.count(territory_id=KUZNETSK) == 1


async def test_the_migration_gives_pages_left_before_it_their_last_administrator(
    tmp_path: Path,
) -> None:
    """Before 0012 a departure deleted the row and kept nothing: the creator of a page
    without administrators is its last administrator, its last change the date; a user
    already unreachable has been since last seen."""
    path = tmp_path / "v11.sqlite3"
    version = next(number for number, name, _ in migration_files() if name.endswith("_claims.sql"))
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for number, _, sql in migration_files()[: version - 1]:
            conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        conn.execute("INSERT INTO territories VALUES (1, 'r', 'region', 'Р', 'R', 1)")
        conn.executemany(
            "INSERT INTO users (id, created_at, seen_at, reachable) VALUES (?, 1, ?, ?)",
            [(7, 100, 1), (8, 300, 0)],
        )
        conn.executemany(
            "INSERT INTO pages (id, link_key, url, platform, title, territory_id, level, theme,"
            " status, created_by, created_at, changed_at)"
            " VALUES (?, ?, 'u', 'vk', ?, 1, 'municipal', 'culture', 'approved', 7, 1, ?)",
            [(1, "vk.com/left", "Left", 500), (2, "vk.com/kept", "Kept", 600)],
        )
        conn.execute("INSERT INTO page_admins VALUES (2, 8, 1)")

    async with open_database(path) as db, db.read() as repos:
        listed = await repos.orphans.listed(territory_id=None, limit=None)
    assert [(o.page.id, o.last_admin.id, o.since, o.left) for o in listed] == [
        (1, 7, 500, True),
        (2, 8, 300, False),
    ]
