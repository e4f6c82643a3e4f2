"""Backup and restore from the command line, beside `python -m bot` running as its own
process: a backup is taken while the bot runs, a restore is refused until the bot has
stopped, then puts the backup in place and keeps the database it replaced."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from bot.domain.audit import AuditAction
from bot.storage.backup import integrity_problems, restore_database, take_backup
from bot.storage.database import Database
from bot.storage.lock import DatabaseInUse, holders_folder, live_holders
from tests.e2e.process import (
    ADMIN,
    EXIT_TIMEOUT,
    ROOT,
    STARTUP_TIMEOUT,
    BotProcess,
    administered_page,
    bot_env,
)
from tests.fakes.bot_api import FakeBotAPI


def figures(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as conn:
        return [row[0] for row in conn.execute("SELECT figure FROM reports ORDER BY id")]


async def test_a_restore_waits_for_the_bot_to_stop_and_keeps_what_it_replaced(
    tmp_path: Path,
) -> None:
    database = tmp_path / "data" / "bot.sqlite3"
    page = await administered_page(database)
    copy = tmp_path / "offsite" / "before-the-report.sqlite3"

    async with FakeBotAPI() as fake:
        env = bot_env(fake, database)
        bot = await BotProcess.serving(env, fake)
        try:
            backup = await BotProcess.run(env, ROOT, "backup", str(copy))
            assert backup.process.returncode == 0, backup.describe()
            assert backup.stdout.strip() == str(copy), backup.describe()

            await bot.answer(fake, ADMIN, f"/report {page} 4321", "Saved")

            refused = await BotProcess.run(env, ROOT, "restore", str(copy))
            assert refused.process.returncode == 1, refused.describe()
            assert "Cannot restore while the bot runs" in refused.stderr, refused.describe()
            # The bot's note names its process (the backup's note went with it).
            holder = f"in use by pid {bot.process.pid} on "
            assert holder in refused.stderr, refused.describe()
            assert "(python -m bot run), since" in refused.stderr, refused.describe()
            assert "backup" not in refused.stderr, refused.describe()
            assert sorted(path.name for path in database.parent.glob("bot.before-*")) == []

            assert await bot.stop(EXIT_TIMEOUT) == 0, bot.describe()
        finally:
            await bot.kill()
        assert not fake.internal_errors

    with closing(sqlite3.connect(copy)) as conn:
        assert integrity_problems(conn) == []
    assert figures(copy) == []

    restore = await BotProcess.run(env, ROOT, "restore", str(copy))
    assert restore.process.returncode == 0, restore.describe()
    [aside] = database.parent.glob("bot.before-restore-*.sqlite3")
    assert f"kept as {aside}" in restore.stdout, restore.describe()
    assert figures(aside) == [4321]  # what the bot saved after the backup is kept aside
    assert figures(database) == []

    db = Database(database)
    await db.connect()
    try:
        async with db.read() as repos:
            [entry] = await repos.audit.latest(limit=5)
            restored_page = await repos.pages.get(page)
    finally:
        await db.close()
    assert entry.action is AuditAction.RESTORE
    assert entry.details == {"from": copy.name}
    assert restored_page is not None
    assert restored_page.current_figure is None


async def test_a_killed_holder_leaves_no_lock_behind(tmp_path: Path) -> None:
    database = tmp_path / "bot.sqlite3"
    await administered_page(database)
    copy = tmp_path / "copy.sqlite3"
    await take_backup(database, copy)
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sys; from pathlib import Path; from bot.storage.lock import shared_use\n"
        f"with shared_use(Path({str(database)!r}), 'python -m bot run'):\n"
        "    print('held', flush=True); sys.stdin.read()",
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None
        async with asyncio.timeout(STARTUP_TIMEOUT):
            assert await holder.stdout.readline() == b"held\n"
        with pytest.raises(DatabaseInUse, match=f"in use by pid {holder.pid} on "):
            await restore_database(database, copy, now=int(time.time()))
    finally:
        holder.kill()  # SIGKILL: no clean-up code of the holder runs
        await holder.wait()
    assert [note.name for note in holders_folder(database).iterdir()] != []
    restored = await restore_database(database, copy, now=int(time.time()))
    assert restored.set_aside is not None
    assert list(holders_folder(database).iterdir()) == []  # the dead holder's note is gone
    assert live_holders(database) == []
