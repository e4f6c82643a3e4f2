"""Schema migrations on SQLite and PostgreSQL, with Alembic.

The revisions live in `bot/storage/alembic/versions/`, numbered "0001", "0002", ... like
the SQL scripts they run (`steps`): a revision's upgrade runs the script of the
connection's dialect, `bot/storage/migrations/NNNN_name.sql` on SQLite (the scripts
existing SQLite databases were built from, never edited) and `bot/storage/migrations/
postgresql/NNNN_name.sql` on PostgreSQL; its downgrade runs `migrations/downgrade/
NNNN_name.sql`, or on PostgreSQL `migrations/postgresql/downgrade/NNNN_name.sql` where
the databases differ. Each revision runs in a transaction of its own, its
`alembic_version` row updated in the same transaction: a failing revision leaves nothing
behind.

SQLite databases carry their migration number in `PRAGMA user_version` too: the numbered
runner that built them before Alembic kept it there, and backups (bot/storage/backup.py)
check it. Every revision sets it in its transaction, and a database the numbered runner
made (a `user_version`, no `alembic_version`) is first stamped at that revision.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import zlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from alembic import command, op
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine.interfaces import AdaptedConnection
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

_SCRIPTS = Path(__file__).with_name("alembic")
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_COMMENT = re.compile(r"--[^\n]*")
#: PostgreSQL's advisory lock (session level) held while migrating. Any stable number
#: other than bot.storage.dialect.WRITER_LOCK_KEY.
MIGRATION_LOCK_KEY = zlib.crc32(b"gospublic-bot: migrations")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every numbered SQLite migration, in order: the scripts
    `bot/storage/migrations/NNNN_name.sql`. Raises RuntimeError when the numbers have a
    gap (they must run 0001, 0002, ...)."""
    folder = resources.files("bot.storage") / "migrations"
    found: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [version for version, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps: {versions}")
    return found


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    config.set_main_option("path_separator", "os")
    # env.py runs the revisions on this connection.
    config.attributes["connection"] = connection
    return config


def revisions() -> list[str]:
    """The revision ids, oldest first: "0001", "0002", ... (one per numbered script)."""
    script = ScriptDirectory(str(_SCRIPTS))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database of `engine` (SQLite or PostgreSQL) up to `revision` ("head": the
    newest), a transaction per revision; an SQLite database made by the numbered runner is
    stamped at its `user_version` first. Logs every applied revision. On PostgreSQL it
    holds the advisory lock MIGRATION_LOCK_KEY meanwhile: replicas starting together
    migrate one after the other. Raises alembic.util.CommandError for an unknown
    revision, RuntimeError for an SQLite database the numbered runner took further than
    this code knows, and the database's error when a script fails (that revision is rolled back,
    the earlier ones stay)."""
    async with engine.connect() as conn:
        await conn.run_sync(_run, command.upgrade, revision)
        await conn.commit()


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the database of `engine` back to `revision` ("base": nothing at all, "-1": one
    step), undoing the newer revisions one transaction each. What those revisions added is
    dropped with its data. Raises as `upgrade` does."""
    async with engine.connect() as conn:
        await conn.run_sync(_run, command.downgrade, revision)
        await conn.commit()


def _run(connection: Connection, action: Callable[[Config, str], None], revision: str) -> None:
    config = _config(connection)
    if connection.dialect.name == "sqlite":
        _carry_over(connection, config)
        action(config, revision)
        return
    # Replicas starting together migrate one after the other: the next finds it done.
    connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})")
    connection.commit()
    try:
        action(config, revision)
    finally:
        connection.rollback()
        connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")
        connection.commit()


def _carry_over(connection: Connection, config: Config) -> None:
    """Stamp an SQLite database the numbered runner made at the revision it reached."""
    version = int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())
    tracked = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).scalar_one()
    # Alembic begins its own transactions: none may be open when it starts.
    connection.rollback()
    if version and not tracked:
        known = revisions()
        if f"{version:04d}" not in known:
            raise RuntimeError(
                f"the database is at migration {version}, which this version of the bot does "
                f"not know (it knows up to {known[-1]}): update the bot"
            )
        log.info("Carrying the database over to Alembic at migration %04d", version)
        command.stamp(config, f"{version:04d}")


def sqlite_statements(script: str) -> list[str]:
    """The statements of an SQLite script, each with its leading comments, split where
    `sqlite3.complete_statement` says a statement ends (so a trigger's BEGIN ... END stays
    whole). Raises ValueError when the script ends inside a statement."""
    statements: list[str] = []
    pending = ""
    *pieces, rest = script.split(";")
    for piece in pieces:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if _COMMENT.sub("", pending).strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    rest = pending + rest
    if _COMMENT.sub("", rest).strip():
        raise ValueError(f"the script ends inside a statement: {rest.strip()[:60]!r}")
    return statements


def run_script(connection: Connection, script: str) -> None:
    """Run the SQL `script` (several statements) on `connection`, in its transaction:
    statement by statement on SQLite, as one simple query on PostgreSQL (asyncpg), which
    accepts many statements and $$-quoted function bodies. A script of comments only
    runs nothing."""
    if not _COMMENT.sub("", script).strip():
        return
    if connection.dialect.name == "sqlite":
        for statement in sqlite_statements(script):
            connection.exec_driver_sql(statement)
        return
    # asyncpg's connection begins its transaction with the first statement SQLAlchemy
    # sends through it: one goes first, so the script runs inside that transaction.
    connection.exec_driver_sql("SELECT 1")
    driver = connection.connection.dbapi_connection
    if not isinstance(driver, AdaptedConnection):
        raise TypeError(f"PostgreSQL scripts run through asyncpg, not {driver!r}")
    driver.run_async(lambda raw: raw.execute(script))


def _script(name: str, dialect: str, *, down: bool = False) -> str:
    """The script `name` of `dialect`: the upgrade, or with `down` the downgrade (on
    PostgreSQL its own if it has one, else the one both databases share)."""
    folder = resources.files("bot.storage") / "migrations"
    candidates = [folder / dialect] if dialect != "sqlite" else []
    candidates.append(folder)
    if down:
        candidates = [candidate / "downgrade" for candidate in candidates]
    for candidate in candidates:
        if (candidate / name).is_file():
            return (candidate / name).read_text(encoding="utf-8")
    raise FileNotFoundError(f"no {'downgrade' if down else 'upgrade'} script {name} for {dialect}")


def _set_version(connection: Connection, number: int) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA user_version = {number}")


def steps(name: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """A revision's upgrade and downgrade for the migration `name` ("0004_outbox_photos.sql"),
    run by Alembic inside the revision's transaction. The upgrade runs the script of the
    connection's dialect; the downgrade the script under downgrade/ that removes what the
    upgrade added. On SQLite both set `user_version` (to the migration's number, to the
    one before). Raises FileNotFoundError when a script is missing."""
    number = int(name[:4])

    def upgrade() -> None:
        connection = op.get_bind()
        log.info("Applying migration %s", name)
        run_script(connection, _script(name, connection.dialect.name))
        _set_version(connection, number)

    def downgrade() -> None:
        connection = op.get_bind()
        log.info("Reverting migration %s", name)
        run_script(connection, _script(name, connection.dialect.name, down=True))
        _set_version(connection, number - 1)

    return upgrade, downgrade
