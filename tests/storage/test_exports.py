"""The export's storage: a snapshot on a connection of its own, batches, the audit stream,
and the spreadsheet files written on disk."""

from __future__ import annotations

import asyncio
import codecs
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.audit import AuditAction, SubjectKind
from bot.domain.exports import Column
from bot.services.spreadsheets import CsvWriter, RowTooLarge, XlsxWriter
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


def test_spreadsheet_writers_keep_awkward_text_as_text(tmp_path: Path) -> None:
    columns = [Column("title", 20, free_text=True), Column("code", 10)]
    xlsx = XlsxWriter(tmp_path / "t.xlsx", "pages", columns)
    xlsx.write([["=1+1", "-5"], ["bell\x07 and tab\x0b", None]])
    [path] = xlsx.close()
    sheet = openpyxl.load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["title", "code"],
        ["=1+1", "-5"],
        ["bell and tab", None],
    ]
    assert sheet["A2"].data_type == "s"

    empty = CsvWriter(tmp_path, "empty", columns, part_bytes=100)
    assert empty.write([]) == 0
    [part] = empty.close()
    assert part.name == "empty.csv"
    assert part.read_bytes() == codecs.BOM_UTF8 + b"title;code\r\n"
    with pytest.raises(RowTooLarge):
        CsvWriter(tmp_path, "tiny", columns, part_bytes=10)
