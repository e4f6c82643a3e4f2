"""Backups on a schedule and on demand, and restores: the use cases over `bot.storage.backup`.

The nightly job asks `run_due`: a backup is due when BACKUP_CRON had a run since the
newest backup in BACKUP_DIR (or there is none yet). What is due is read from the backups'
own names, so a job that runs late, twice, or after the bot was down at the scheduled
time takes exactly one backup.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain.localtime import cron_fired
from bot.services.clock import Clock
from bot.storage.backup import (
    BackupCopy,
    BackupError,
    Restored,
    backup_name,
    backups_in,
    prune,
    restore_database,
    take_backup,
)
from bot.storage.dialect import sqlite_file

log = logging.getLogger(__name__)


def names_folder(given: Path | str) -> bool:
    """Whether `given` is written as a folder: a string ending in a path separator
    ("backups/"). Path() drops that separator, so only the string can tell."""
    return isinstance(given, str) and given.endswith(tuple(s for s in (os.sep, os.altsep) if s))


@dataclass
class BackupService:
    """Backups of the database at `database` into `folder`, the newest `keep` kept.

    `cron` (crontab syntax in `tz`) is when the nightly backup is due; `clock` gives the
    time that names backups and set-aside databases.
    """

    database: Path
    folder: Path
    keep: int
    cron: str
    tz: ZoneInfo
    clock: Clock
    # The scheduled run and the start-up catch-up may meet: one backup at a time.
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> BackupService:
        """The SQLite database (DATABASE_URL or DATABASE_PATH) backed up into BACKUP_DIR
        (read from the database's folder when relative), BACKUP_KEEP kept, due at
        BACKUP_CRON. BackupError on PostgreSQL, which is backed up with its own tools
        (pg_dump), not by the bot."""
        database = sqlite_file(settings.database)
        if database is None:
            raise BackupError(
                "the database is PostgreSQL: back it up with pg_dump and restore with pg_restore"
            )
        return cls(
            database,
            database.parent / settings.backup_dir,
            keep=settings.backup_keep,
            cron=settings.backup_cron,
            tz=settings.tz,
            clock=clock,
        )

    async def take(self, target: Path | str | None = None) -> BackupCopy:
        """Back the database up now and return the verified copy.

        Without `target` the copy goes into the backup folder under a name with the UTC
        time (`bot.storage.backup.backup_name`), and the backups there beyond the newest
        `keep` are deleted. A `target` that is an existing folder, or a string ending in a
        path separator ("backups/", created if missing), gets that name inside it; any
        other `target` is the file to write. Only the backup folder is pruned. Raises
        BackupError when the database is missing, the file exists or the copy fails
        `PRAGMA integrity_check`.
        """
        async with self._lock:
            return await self._take(target)

    async def _take(self, given: Path | str | None) -> BackupCopy:
        name = backup_name(self.database, self.clock.now())
        if given is None:
            target = self.folder / name
        else:
            target = Path(given)
            if names_folder(given) or await asyncio.to_thread(target.is_dir):
                target = target / name
        copy = await take_backup(self.database, target)
        log.info(
            "Backup of %s written to %s: %d bytes, %d pages, integrity ok, %.1f s",
            self.database,
            copy.path,
            copy.size,
            copy.pages,
            copy.seconds,
        )
        if target.parent == self.folder:
            for path in await asyncio.to_thread(prune, self.folder, self.database, self.keep):
                log.info("Old backup %s deleted (BACKUP_KEEP=%d)", path, self.keep)
        return copy

    def due(self) -> bool:
        """Whether the schedule had a run since the newest backup in the folder (or no
        backup is there yet)."""
        backups = backups_in(self.folder, self.database)
        if not backups:
            return True
        newest, _ = backups[-1]
        return cron_fired(
            self.cron,
            dt.datetime.fromtimestamp(newest + 1, self.tz),
            dt.datetime.fromtimestamp(self.clock.now(), self.tz),
        )

    async def run_due(self) -> BackupCopy | None:
        """The nightly job: a backup into the folder if one is due (see `due`), else None.

        Raises what `take` raises.
        """
        async with self._lock:
            due = await asyncio.to_thread(self.due)
            return await self._take(None) if due else None

    async def restore(self, copy: Path) -> Restored:
        """Replace the database with the backup `copy`, keeping the current one aside
        (`bot.storage.backup.restore_database`, at the clock's time). Raises
        DatabaseInUse while a bot process uses the database, CopyRefused when `copy`
        cannot be restored (nothing changed), BackupError for other failures."""
        restored = await restore_database(self.database, copy, now=self.clock.now())
        log.info(
            "Restored %s from %s (migration %d, now %d); the previous database is %s",
            self.database,
            copy,
            restored.version_before,
            restored.version,
            restored.set_aside or "absent",
        )
        return restored
