"""Backups and restores on real files: consistency under writes, pruning, refusals, the
lock a running bot holds, the previous database kept aside, an old copy migrated."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.audit import AuditAction, SubjectKind
from bot.domain.localtime import DAY
from bot.domain.roles import Actor, Role
from bot.services.backups import BackupService
from bot.services.reports import ReportService
from bot.storage.backup import (
    BackupError,
    CopyRefused,
    integrity_problems,
    restore_database,
    stamp,
    take_backup,
)
from bot.storage.database import Database
from bot.storage.lock import DatabaseInUse, shared_use
from bot.storage.migrate import migration_files
from tests.builders import add_page, add_user
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeUser

#: Backups and restores are copies of SQLite's file: PostgreSQL has its own tools.
pytestmark = pytest.mark.sqlite_only

ADMIN = FakeUser(id=1, first_name="Admin")
LATEST = len(migration_files())
#: Bounds a wait that only a broken test would reach: a failure, never a hang.
STUCK = 60.0


def names_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def contents(folder: Path, names: list[str]) -> list[bytes]:
    return [(folder / name).read_bytes() for name in names]


def opened(path: Path) -> closing[sqlite3.Connection]:
    """An autocommit connection closed after the `with` block (sqlite3's own context
    manager only commits, and an open connection keeps a -wal beside the file)."""
    return closing(sqlite3.connect(path, isolation_level=None))


async def reporting_page(db: Database) -> int:
    async with db.write() as repos:
        await add_user(repos, ADMIN)
        return await add_page(repos, "vk.com/club1", created_by=ADMIN.id)


def report_ids(path: Path) -> list[int]:
    with opened(path) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM reports ORDER BY id")]


def integrity(path: Path) -> list[str]:
    with opened(path) as conn:
        return integrity_problems(conn)


async def test_a_backup_during_a_burst_of_writes_is_one_moment_of_the_database(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    page = await reporting_page(db)
    reports = ReportService(db, clock)
    actor = Actor(ADMIN.id, Role.USER)
    committed: list[int] = []

    async def submit() -> None:
        figure = len(committed) + 1
        await reports.submit(actor, page, figure, update_id=None)
        committed.append(figure)

    for _ in range(100):
        await submit()
    before = len(committed)

    loop = asyncio.get_running_loop()
    mid_copy = asyncio.Event()
    resume = threading.Event()
    steps: list[tuple[int, int]] = []

    def progress(left: int, total: int) -> None:  # on the backup's thread
        steps.append((left, total))
        if len(steps) == 1:
            loop.call_soon_threadsafe(mid_copy.set)
            resume.wait(STUCK)

    stop = asyncio.Event()
    during: list[int] = []

    async def burst() -> None:
        while not stop.is_set():
            await submit()
            if mid_copy.is_set():
                during.append(committed[-1])
                if len(during) == 30:
                    resume.set()

    writer = asyncio.create_task(burst())
    await asyncio.sleep(0)  # the burst is under way when the backup begins
    target = tmp_path / "backups" / "copy.sqlite3"
    copy = await take_backup(db.path, target, pages_per_step=2, progress=progress)
    stop.set()
    await writer

    # The bot's writer committed 30 reports while the copy sat between two of its steps.
    assert len(during) >= 30
    assert len(steps) > 2
    assert steps[-1][0] == 0
    assert copy.path == target.resolve()
    assert copy.size == target.stat().st_size
    assert integrity(target) == []
    in_copy = report_ids(target)
    # Everything committed before the backup began; nothing committed after its start.
    assert set(range(1, before + 1)) <= set(in_copy)
    assert not set(in_copy) & set(during)
    assert in_copy == list(range(1, len(in_copy) + 1))
    # The page row and its reports are from the same moment (one transaction each).
    with opened(target) as conn:
        [(current,)] = conn.execute("SELECT current_figure FROM pages WHERE id = ?", (page,))
        assert current == len(in_copy)
        [(mode,)] = conn.execute("PRAGMA journal_mode")
    assert mode == "delete"
    assert not (tmp_path / "backups" / "copy.sqlite3-wal").exists()


async def test_a_cancelled_backup_stops_between_steps_and_leaves_nothing(
    db: Database, tmp_path: Path
) -> None:
    loop = asyncio.get_running_loop()
    mid_copy = asyncio.Event()
    resume = threading.Event()
    steps: list[int] = []

    def progress(left: int, _total: int) -> None:  # on the backup's thread
        steps.append(left)
        if len(steps) == 1:
            loop.call_soon_threadsafe(mid_copy.set)
            resume.wait(STUCK)

    target = tmp_path / "backups" / "copy.sqlite3"
    copying = asyncio.create_task(take_backup(db.path, target, pages_per_step=2, progress=progress))
    await mid_copy.wait()
    copying.cancel()  # as a stopping bot's loop cancels its jobs
    loop.call_soon(resume.set)  # after the cancellation has reached the backup (FIFO)
    with pytest.raises(asyncio.CancelledError):
        await copying
    assert len(steps) == 1
    assert steps[0] > 0
    assert names_in(target.parent) == []


def damage_an_index(path: Path) -> None:
    """Point the territories' code index at an empty b-tree: every territory is then
    missing from its index, which `PRAGMA integrity_check` reports (the file stays
    readable, as a disk that lost a page's writes leaves it)."""
    with opened(path) as conn:
        conn.execute("CREATE TABLE spare (code TEXT)")
        conn.execute("CREATE INDEX spare_code ON spare (code)")
        [(empty,)] = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'spare_code'")
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET rootpage = ?"
            " WHERE type = 'index' AND tbl_name = 'territories'",
            (empty,),
        )


async def test_a_copy_that_fails_its_check_is_not_kept(db: Database, tmp_path: Path) -> None:
    await db.close()
    damage_an_index(db.path)
    target = tmp_path / "backups" / "copy.sqlite3"
    with pytest.raises(BackupError, match=r"integrity_check: .*missing from index"):
        await take_backup(db.path, target)
    assert names_in(target.parent) == []


def backup_service(db: Database, clock: FakeClock, folder: Path, keep: int) -> BackupService:
    return BackupService(
        db.path, folder, keep=keep, cron="30 3 * * *", tz=ZoneInfo("Europe/Moscow"), clock=clock
    )


async def test_only_the_newest_backups_are_kept_in_the_folder(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    others = ["notes.txt", "bot-manual.sqlite3", "other-20260101T000000Z.sqlite3"]
    for name in others:
        (folder / name).write_text("not a backup of this database")
    # Left by a backup killed while copying, before the first of the backups below.
    (folder / "bot-20260901T003000Z.sqlite3.partial").write_text("half a copy")
    backups = backup_service(db, clock, folder, keep=3)
    names = []
    for _ in range(5):
        names.append((await backups.take()).path.name)
        clock.advance(DAY)
    assert names[:2] == ["bot-20260921T141320Z.sqlite3", "bot-20260922T141320Z.sqlite3"]
    assert names == sorted(names)  # the names sort by time
    elsewhere = await backups.take(tmp_path)  # a folder given on the command line
    assert names_in(folder) == sorted(names[-3:] + others)
    assert elsewhere.path.parent == tmp_path
    assert integrity(elsewhere.path) == []
    with pytest.raises(BackupError, match="exists already"):
        await backups.take(elsewhere.path)
    # A folder that does not exist yet, told by its trailing separator, is created.
    new_folder = await backups.take(f"{tmp_path / 'new'}{os.sep}")
    assert new_folder.path.parent == tmp_path / "new"
    assert new_folder.path.name == elsewhere.path.name


def old_copy(path: Path, version: int, user_name: str) -> None:
    """A database of this bot as migration `version` left it, with one user."""
    with opened(path) as conn:
        for _, _, sql in migration_files()[:version]:
            conn.executescript(sql)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute(
            "INSERT INTO users (id, full_name, created_at, seen_at) VALUES (7, ?, 0, 0)",
            (user_name,),
        )


def user_names(path: Path) -> list[str]:
    with opened(path) as conn:
        return [row[0] for row in conn.execute("SELECT full_name FROM users ORDER BY id")]


def sidecars(folder: Path) -> list[str]:
    return [name for name in names_in(folder) if name.endswith(("-wal", "-shm"))]


async def crashed_bot_database(path: Path) -> None:
    """The files a bot leaves when it is killed: its last commit only in the -wal."""
    db = Database(path)
    await db.connect()
    async with db.write() as repos:
        await add_user(repos, FakeUser(id=2, first_name="Before the crash"))
    await db.close()
    with opened(path) as live:
        live.execute("PRAGMA wal_autocheckpoint = 0")
        live.execute(
            "INSERT INTO users (id, full_name, created_at, seen_at) VALUES (3, 'Only in WAL', 0, 0)"
        )
        # What is on disk at this moment is what a SIGKILL would leave.
        shutil.copy(path, path.with_name("crash.sqlite3"))
        shutil.copy(f"{path}-wal", path.with_name("crash.sqlite3-wal"))
    os.replace(path.with_name("crash.sqlite3"), path)
    os.replace(path.with_name("crash.sqlite3-wal"), f"{path}-wal")


async def test_a_restore_keeps_the_database_aside_and_migrates_the_copy(
    clock: FakeClock, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    database = data / "bot.sqlite3"
    await crashed_bot_database(database)
    assert sidecars(data) == ["bot.sqlite3-wal"]
    copy = tmp_path / "bot-20260101T033000Z.sqlite3"
    old_copy(copy, LATEST - 1, "From the backup")
    copy_bytes = copy.read_bytes()

    restored = await restore_database(database, copy, now=clock.now())

    aside = data / f"bot.before-restore-{stamp(clock.now())}.sqlite3"
    assert restored.set_aside == aside
    assert (restored.version_before, restored.version) == (LATEST - 1, LATEST)
    # The crashed bot's last commit went into the file set aside, with no -wal left over.
    assert sidecars(data) == []
    assert user_names(aside) == ["Before the crash", "Only in WAL"]
    assert names_in(data) == sorted(
        ["bot.sqlite3", "bot.sqlite3.holders", "bot.sqlite3.lock", aside.name]
    )
    assert copy.read_bytes() == copy_bytes  # the backup itself is only read

    db = Database(database)
    await db.connect()
    try:
        async with db.read() as repos:
            [entry] = await repos.audit.latest(limit=10)
            users = await repos.users.get(7)
        async with db.write() as repos:  # it works: the bot can write to it
            await add_user(repos, FakeUser(id=8, first_name="After the restore"))
    finally:
        await db.close()
    assert (entry.at, entry.actor_id, entry.action, entry.subject_kind, entry.details) == (
        clock.now(),
        None,
        AuditAction.RESTORE,
        SubjectKind.DATABASE,
        {"from": copy.name},
    )
    assert users is not None
    assert users.full_name == "From the backup"
    with opened(database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (LATEST,)


async def test_a_damaged_database_is_set_aside_with_its_log_as_it_is(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    copy = (await backup_service(db, clock, tmp_path / "backups", keep=7).take()).path
    await db.close()
    garbage = {"bot.sqlite3": b"not a database any more", "bot.sqlite3-wal": b"unreadable log"}
    for name, content in garbage.items():
        (tmp_path / name).write_bytes(content)
    restored = await restore_database(db.path, copy, now=clock.now())
    assert restored.set_aside is not None
    aside = restored.set_aside.name
    assert contents(tmp_path, [aside, f"{aside}-wal"]) == list(garbage.values())
    assert sidecars(tmp_path) == [f"{aside}-wal"]
    assert integrity(db.path) == []


async def test_a_restore_refuses_while_the_bot_holds_the_database(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    copy = (await backup_service(db, clock, tmp_path / "backups", keep=7).take()).path
    await db.close()
    # The lock `python -m bot` holds for as long as it runs.
    with shared_use(db.path, "python -m bot run"):
        before = names_in(tmp_path)
        with pytest.raises(
            DatabaseInUse, match=rf"in use by pid {os.getpid()} on .* \(python -m bot run\)"
        ):
            await restore_database(db.path, copy, now=clock.now())
        assert names_in(tmp_path) == before
    # The lock goes with its holder: then the restore proceeds.
    restored = await restore_database(db.path, copy, now=clock.now())
    assert restored.set_aside is not None


def write_garbage(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 a spreadsheet, not a database" * 100)


def write_foreign(path: Path) -> None:
    with opened(path) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")


def write_truncated_schema(path: Path) -> None:
    with opened(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
        conn.execute("PRAGMA user_version = 3")


def write_newer(path: Path) -> None:
    old_copy(path, LATEST, "From the future")
    with opened(path) as conn:
        conn.execute(f"PRAGMA user_version = {LATEST + 1}")


def write_damaged(path: Path) -> None:
    old_copy(path, LATEST, "Damaged")
    with opened(path) as conn:
        conn.executemany(
            "INSERT INTO territories (code, kind, name_ru, name_en, sort)"
            " VALUES (?, 'settlement', ?, ?, ?)",
            [(f"t{n}", f"т{n}", f"t{n}", n) for n in range(30)],
        )
    damage_an_index(path)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda _path: None, "there is no such file"),
        (lambda path: path.write_bytes(b""), "not this bot's database"),
        (write_garbage, r"not a database SQLite can read \(file is not a database\)"),
        (write_foreign, "not this bot's database"),
        (write_truncated_schema, r"not this bot's database \(tables missing: .*pages"),
        (write_newer, rf"newer version of the bot \(migration {LATEST + 1}; .* up to {LATEST}\)"),
        (write_damaged, "damaged: PRAGMA integrity_check says .*missing from index"),
    ],
    ids=["missing", "empty", "garbage", "foreign", "truncated", "newer", "damaged"],
)
async def test_a_file_that_is_no_usable_copy_is_refused_with_the_reason(
    db: Database,
    clock: FakeClock,
    tmp_path: Path,
    make: Callable[[Path], object],
    reason: str,
) -> None:
    await db.close()
    database_bytes = db.path.read_bytes()
    candidate = tmp_path / "offered.sqlite3"
    make(candidate)
    with pytest.raises(CopyRefused, match=reason):
        await restore_database(db.path, candidate, now=clock.now())
    assert db.path.read_bytes() == database_bytes
    assert [name for name in names_in(tmp_path) if "bot" in name] == [
        "bot.sqlite3",
        "bot.sqlite3.holders",
        "bot.sqlite3.lock",
    ]


async def test_the_database_itself_is_no_copy(db: Database, clock: FakeClock) -> None:
    await db.close()
    with pytest.raises(CopyRefused, match="the database itself"):
        await restore_database(db.path, db.path, now=clock.now())
