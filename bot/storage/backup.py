"""Backups of the database file and restores from them.

A backup is a copy made with SQLite's online backup API while the bot runs. The copying
connection first opens a read transaction, so the copy is the database as it was at that
moment, whatever is committed meanwhile: in WAL mode (which `Database.connect` sets)
readers never block the bot's writer, and with the snapshot held the copy is never
restarted by their commits. The pages go over in steps of `PAGES_PER_STEP`, on a worker
thread, so the event loop keeps serving users. The copy is written beside its final name,
checked with `PRAGMA integrity_check`, and only then given that name: a file with a
backup's name is a verified backup.

A restore checks the copy (readable, intact, this bot's schema at a migration version
this code knows), brings it up to date with the migrations, records itself in the copy's
audit log, sets the current database aside under a name with the time, and puts the copy
in its place; all under the exclusive lock of `bot.storage.lock`, so never while a bot
process uses the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.domain.audit import AuditAction, SubjectKind
from bot.storage.database import Database
from bot.storage.dialect import BUSY_TIMEOUT_MS
from bot.storage.lock import exclusive_use
from bot.storage.migrate import migration_files

log = logging.getLogger(__name__)

#: Pages copied per step of the backup API: 1 MiB at SQLite's default page size (4 KiB).
PAGES_PER_STEP = 256
#: UTC time in backup and set-aside file names: sorting the names sorts by time.
STAMP = "%Y%m%dT%H%M%SZ"
_STAMP_PATTERN = r"\d{8}T\d{6}Z"
_SIDECARS = ("-wal", "-shm", "-journal")
#: Added to a backup's name while it is being written and checked.
_PARTIAL = ".partial"
#: The first bytes of every SQLite 3 database file.
_SQLITE_HEADER = b"SQLite format 3\x00"
#: Lines of `PRAGMA integrity_check` quoted in a refusal.
_PROBLEMS_QUOTED = 3


class _Stopped(Exception):
    """Raised between two steps of a copy whose caller was cancelled: ends the copy."""


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and is safe to print."""


class CopyRefused(BackupError):
    """The file offered for a restore is not a usable copy of this bot's database:
    unreadable, damaged, another program's database, or newer than this code."""


@dataclass(frozen=True, slots=True)
class BackupCopy:
    """A verified backup: its file, its size in bytes and in database pages, and the
    seconds the copy and its check took."""

    path: Path
    size: int
    pages: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Restored:
    """A finished restore: the database now in place, where the previous one was set aside
    (None if there was none), and the copy's migration version before and after."""

    database: Path
    set_aside: Path | None
    version_before: int
    version: int


def stamp(moment: int) -> str:
    """`moment` (Unix seconds) as the UTC time in file names: 20260921T033000Z."""
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime(STAMP)


def backup_name(database: Path, moment: int) -> str:
    """The file name of a backup of `database` taken at `moment` (Unix seconds):
    `<stem>-<UTC time><suffix>`, e.g. bot-20260921T033000Z.sqlite3."""
    return f"{database.stem}-{stamp(moment)}{database.suffix}"


def _stamped(folder: Path, database: Path, ending: str) -> list[tuple[int, Path]]:
    """Files in `folder` named `backup_name(database, moment) + ending`, as (moment in
    Unix seconds, file), oldest first."""
    if not folder.is_dir():
        return []
    pattern = re.compile(
        rf"^{re.escape(database.stem)}-({_STAMP_PATTERN}){re.escape(database.suffix + ending)}$"
    )
    found = []
    for entry in folder.iterdir():
        match = pattern.match(entry.name)
        if match and entry.is_file():
            moment = dt.datetime.strptime(match.group(1), STAMP).replace(tzinfo=dt.UTC)
            found.append((int(moment.timestamp()), entry))
    return sorted(found)


def backups_in(folder: Path, database: Path) -> list[tuple[int, Path]]:
    """The backups of `database` in `folder` as (moment in Unix seconds, file), oldest
    first. Only names made by `backup_name` count; other files are not backups."""
    return _stamped(folder, database, "")


def prune(folder: Path, database: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of `database` in `folder` (see
    `backups_in`), and the unfinished copies older than the newest backup (`.partial`
    files a process killed while copying leaves); returns the deleted files. Other files
    in the folder are left alone."""
    backups = backups_in(folder, database)
    doomed = [path for _, path in backups[: max(len(backups) - keep, 0)]]
    if backups:
        newest, _ = backups[-1]
        partial = _stamped(folder, database, _PARTIAL)
        doomed += [path for moment, path in partial if moment < newest]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _open(path: Path, mode: str) -> sqlite3.Connection:
    # mode=ro/rw: never create a database where a file is missing.
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
    )


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What `PRAGMA integrity_check` finds wrong in `conn`'s database; [] when it says ok.

    Raises sqlite3.DatabaseError when the file cannot be read as a database at all.
    """
    rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check").fetchall()]
    if rows == ["ok"]:
        return []
    # A row may hold several lines, headed by "*** in database main ***".
    lines = (line.strip() for row in rows for line in row.splitlines())
    return [line for line in lines if line and not line.startswith("***")]


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _remove_with_sidecars(path: Path) -> None:
    for candidate in (path, *(_sidecar(path, suffix) for suffix in _SIDECARS)):
        candidate.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` survive a power cut."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy(
    source: Path,
    target: Path,
    pages_per_step: int,
    step: Callable[[int, int], None],
) -> BackupCopy:
    """`take_backup`'s work, on a worker thread; `target` is the file to write, `step` is
    called after each step with (pages left, pages in all)."""
    started = time.monotonic()
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists already; a backup never overwrites a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _sidecar(target, _PARTIAL)
    _remove_with_sidecars(partial)  # left by a copy that was interrupted
    try:
        dst = sqlite3.connect(partial, isolation_level=None)
        try:
            src = _open(source, "rw")
            try:
                # The snapshot: every step reads the database as of this moment, so
                # commits from the bot during the copy neither get half into it nor
                # restart it.
                src.execute("BEGIN")
                src.execute("SELECT count(*) FROM sqlite_master").fetchone()
                src.backup(
                    dst,
                    pages=pages_per_step,
                    progress=lambda _status, left, total: step(left, total),
                )
            finally:
                # Ends the snapshot before the check, which reads only the copy: the
                # bot's checkpoints need not wait for it.
                src.close()
            # One self-contained file: no -wal beside a backup, whoever opens it.
            dst.execute("PRAGMA journal_mode = DELETE").fetchone()
            problems = integrity_problems(dst)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
        if problems:
            raise BackupError(
                f"the copy of {source} fails PRAGMA integrity_check: "
                + "; ".join(problems[:_PROBLEMS_QUOTED])
            )
        os.replace(partial, target)
    except sqlite3.Error as exc:
        _remove_with_sidecars(partial)
        raise BackupError(f"SQLite cannot copy {source}: {exc}") from exc
    except BaseException:
        _remove_with_sidecars(partial)
        raise
    _sync_folder(target.parent)
    return BackupCopy(
        path=target.resolve(),
        size=target.stat().st_size,
        pages=pages,
        seconds=time.monotonic() - started,
    )


async def take_backup(
    source: Path,
    target: Path,
    *,
    pages_per_step: int = PAGES_PER_STEP,
    progress: Callable[[int, int], None] | None = None,
) -> BackupCopy:
    """Copy the database `source` into the new file `target` consistently, while other
    connections go on writing, and verify the copy with `PRAGMA integrity_check`.

    The copy holds everything committed before the call and nothing committed after it
    began reading (one read transaction). It runs on a worker thread, `pages_per_step`
    pages at a time; `progress`, if given, is called on that thread after each step with
    (pages left, pages in all). Missing folders of `target` are created. Cancelled, it
    stops after the current step and removes what it wrote before it returns. Returns
    the copy, its path absolute. Raises BackupError when `source` is missing, `target`
    exists, SQLite cannot read `source`, or the copy fails its check (nothing is left at
    `target` then).
    """
    stop = threading.Event()

    def step(left: int, total: int) -> None:
        if stop.is_set():
            raise _Stopped
        if progress is not None:
            progress(left, total)

    copying = asyncio.ensure_future(asyncio.to_thread(_copy, source, target, pages_per_step, step))
    try:
        return await asyncio.shield(copying)
    except asyncio.CancelledError:
        # A stopping bot: the copy ends after its current step, leaving nothing behind.
        stop.set()
        with contextlib.suppress(_Stopped, BackupError):
            await copying
        raise


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {str(name) for (name,) in rows}


def expected_tables(version: int) -> set[str]:
    """The tables the migrations up to `version` create (applied to a database in memory)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for number, _, sql in migration_files():
            if number <= version:
                conn.executescript(sql)
        return _tables(conn)
    finally:
        conn.close()


def check_copy(conn: sqlite3.Connection) -> int:
    """Whether `conn`'s database can be restored: intact, this bot's schema, a migration
    version this code knows. Returns that version.

    Raises CopyRefused with the reason, and sqlite3.DatabaseError when the file is not a
    database SQLite can read.
    """
    problems = integrity_problems(conn)
    if problems:
        raise CopyRefused(
            "it is damaged: PRAGMA integrity_check says " + "; ".join(problems[:_PROBLEMS_QUOTED])
        )
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    latest = len(migration_files())
    if version > latest:
        raise CopyRefused(
            f"it was made by a newer version of the bot (migration {version}; this version "
            f"knows migrations up to {latest}): update the bot first"
        )
    missing = expected_tables(version) - _tables(conn) if version > 0 else set()
    if version == 0 or missing:
        raise CopyRefused(
            "it is not this bot's database"
            + (f" (tables missing: {', '.join(sorted(missing))})" if missing else "")
        )
    return version


def _stage(copy: Path, database: Path, staging: Path) -> int:
    """Copy `copy` into the new file `staging` and check it there (a worker thread's
    work); returns its migration version. Raises CopyRefused."""
    if not copy.is_file():
        raise CopyRefused("there is no such file")
    if database.exists() and copy.samefile(database):
        raise CopyRefused("it is the database itself")
    _remove_with_sidecars(staging)  # left by a restore that was interrupted
    try:
        src = _open(copy, "ro")
        try:
            dst = sqlite3.connect(staging, isolation_level=None)
            try:
                src.backup(dst)
                return check_copy(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise CopyRefused(f"it is not a database SQLite can read ({exc})") from None


def _fold_wal(database: Path) -> None:
    """Write what `database`'s -wal holds (a crashed bot's last commits) into the file
    itself; closing the last connection then removes the -wal and -shm.

    Raises sqlite3.DatabaseError when the file cannot be read as a database.
    """
    conn = _open(database, "rw")
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()


def _set_aside(database: Path, moment: int) -> Path | None:
    """Rename `database` to `<stem>.before-restore-<UTC time><suffix>`, its -wal and -shm
    with it, then fold the -wal in there if the file is an SQLite database; returns the
    new name (None: there was no database)."""
    if not database.exists():
        return None
    aside = database.with_name(f"{database.stem}.before-restore-{stamp(moment)}{database.suffix}")
    if aside.exists():
        raise BackupError(f"{aside} exists already: try again in a second")
    # Renames first: whatever SQLite makes of the files next, the name is free and the
    # files are kept together.
    os.replace(database, aside)
    for suffix in _SIDECARS:
        if _sidecar(database, suffix).exists():
            os.replace(_sidecar(database, suffix), _sidecar(aside, suffix))
    with aside.open("rb") as file:
        readable = file.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    if not readable:
        # Not a database (any more): SQLite would drop the log as unreadable. Keep both
        # exactly as they are.
        log.warning("%s is no SQLite database: set aside as it is", database)
        return aside
    try:
        _fold_wal(aside)
    except sqlite3.DatabaseError as exc:
        log.warning("Could not fold %s's write-ahead log in (%s): kept beside it", aside, exc)
    return aside


def _swap(database: Path, staging: Path, moment: int) -> Path | None:
    """Set `database` aside (`_set_aside`) and give the checked `staging` its name;
    returns where the previous database went."""
    _fold_wal(staging)
    if _sidecar(staging, "-wal").exists():
        raise BackupError(f"{staging}'s write-ahead log could not be folded in")
    aside = _set_aside(database, moment)
    os.replace(staging, database)
    _sync_folder(database.parent)
    return aside


async def restore_database(
    database: Path, copy: Path, *, now: int, purpose: str = "python -m bot restore"
) -> Restored:
    """Put the backup `copy` in the place of `database`, keeping the current one aside.

    Under the exclusive lock of `database` (`purpose` is written into the lock file):
    the copy is copied beside the database and checked there (`check_copy`), migrated up
    to this code's version, and records the restore in its audit log (`now`, Unix
    seconds; details: the copy's file name); then the current database is renamed with
    the UTC time, its -wal and -shm with it (the -wal then folded into it when SQLite can
    read it: a crashed bot's last commits are kept), and the checked copy takes its name.
    `copy` itself is only read.

    Raises DatabaseInUse while another process (a running bot) holds the lock,
    CopyRefused when the copy cannot be restored (nothing has changed then), and
    BackupError for other failures.
    """
    with exclusive_use(database, purpose):
        staging = _sidecar(database, ".restoring")
        try:
            version_before = await asyncio.to_thread(_stage, copy, database, staging)
            restored = Database(staging)
            await restored.connect()  # applies the migrations the copy lacks
            try:
                async with restored.write() as repos:
                    await repos.audit.record(
                        now=now,
                        actor_id=None,
                        action=AuditAction.RESTORE,
                        subject_kind=SubjectKind.DATABASE,
                        details={"from": copy.name},
                    )
            finally:
                await restored.close()
            aside = await asyncio.to_thread(_swap, database, staging, now)
        except BaseException:
            await asyncio.to_thread(_remove_with_sidecars, staging)
            raise
    return Restored(
        database=database,
        set_aside=aside,
        version_before=version_before,
        version=len(migration_files()),
    )
