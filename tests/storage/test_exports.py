"""The export's storage: a snapshot on a connection of its own, batches, the audit stream."""

from __future__ import annotations

import asyncio

from bot.domain.audit import AuditAction, SubjectKind
from bot.storage.database import Database
from tests.builders import PENZA, add_page, add_user
from tests.clock import START
from tests.users import ADMIN, OTHER


async def test_a_snapshot_keeps_its_view_and_leaves_the_shared_reader_free(db: Database) -> None:
    async with db.write() as repos:
        await add_user(repos, ADMIN)
        await add_page(repos, "vk.com/one", created_by=ADMIN.id)
    async with db.snapshot() as snapshot:
        assert await snapshot.exports.count_pages(territory_id=None) == 1
        async with db.write() as repos:
            await add_page(repos, "vk.com/two", created_by=ADMIN.id)
        # Everybody else reads (and sees the new page) while the snapshot is open.
        async with asyncio.timeout(2), db.read() as repos:
            assert await repos.exports.count_pages(territory_id=None) == 2
        assert await snapshot.exports.count_pages(territory_id=None) == 1
        batches = [
            [page.url for page in batch]
            async for batch in snapshot.exports.pages(territory_id=None, size=1)
        ]
    assert batches == [["https://vk.com/one"]]


async def test_pages_come_in_batches_with_their_administrators(db: Database) -> None:
    async with db.write() as repos:
        await add_user(repos, ADMIN)
        await add_user(repos, OTHER)
        first = await add_page(repos, "vk.com/a", created_by=ADMIN.id, territory_id=PENZA)
        second = await add_page(repos, "vk.com/b", created_by=OTHER.id)
        await repos.pages.add_admin(first, OTHER.id, now=START + 1)
        third = await add_page(repos, "vk.com/c", created_by=OTHER.id, territory_id=PENZA)
    async with db.snapshot() as repos:
        batches = [
            [page.id for page in batch]
            async for batch in repos.exports.pages(territory_id=None, size=2)
        ]
        scoped = [
            [page.id for page in batch]
            async for batch in repos.exports.pages(territory_id=PENZA, size=10)
        ]
        admins = await repos.exports.administrators([first, second])
    assert batches == [[first, second], [third]]
    assert scoped == [[first, third]]
    assert [(a.user_id, a.username) for a in admins[first]] == [
        (ADMIN.id, ADMIN.username),
        (OTHER.id, OTHER.username),
    ]
    assert set(admins) == {first, second}


async def test_the_audit_stream_goes_oldest_first_with_the_actors_username(db: Database) -> None:
    async with db.write() as repos:
        await add_user(repos, ADMIN)
        for at, actor, territory in ((300, ADMIN.id, PENZA), (100, None, None), (200, 999, PENZA)):
            await repos.audit.record(
                now=at,
                actor_id=actor,
                action=AuditAction.EXPORT_TAKEN,
                subject_kind=SubjectKind.EXPORT,
                territory_id=territory,
            )
    async with db.snapshot() as repos:
        everything = [
            (entry.at, username)
            async for batch in repos.audit.stream(size=2)
            for entry, username in batch
        ]
        scoped = [
            entry.at
            async for batch in repos.audit.stream(territory_id=PENZA, size=5)
            for entry, _ in batch
        ]
    assert everything == [(100, None), (200, None), (300, ADMIN.username)]
    assert scoped == [200, 300]
