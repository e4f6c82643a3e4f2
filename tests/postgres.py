"""A PostgreSQL 15 server for the tests, and a fresh database per test.

`postgres_server` (session scope; one server per pytest-xdist worker) runs the server from
`PG_BIN` (default /usr/lib/postgresql/15/bin) in a temporary folder under /tmp, listening
on a unix socket only, with durability off (fsync, synchronous_commit, full_page_writes):
a test database is thrown away anyway. PostgreSQL refuses to run as root: as root the
server runs as the `postgres` user (`runuser -u postgres --`). The server is stopped and
its folder deleted at the end.

Tests that need it take `postgres_server` (or `postgres_url`) and carry the `postgres`
marker (`-m "not postgres"` leaves them out); they are skipped, saying why, when the
binaries are missing.

`postgres_url` is a database migrated to the newest revision, copied from a template
migrated once per server (`CREATE DATABASE ... TEMPLATE`): a few milliseconds a test.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.storage import migrate
from bot.storage.dialect import create_engine, database_url

#: Where the PostgreSQL 15 binaries are; PG_BIN overrides it.
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
_SUPERUSER = "postgres"
_TEMPLATE = "migrated_template"
_SETTINGS = {
    "listen_addresses": "''",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "50",
    "shared_buffers": "16MB",
}


class PostgresServer:
    """A running server: `url(name)` of one of its databases, and fresh databases."""

    def __init__(self, folder: Path, as_user: list[str]) -> None:
        self.folder = folder
        self.socket_dir = folder  # the socket is folder/.s.PGSQL.5432
        self._as_user = as_user
        self._names = itertools.count(1)
        self._template_ready = False

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str) -> str:
        """The SQLAlchemy URL (asyncpg) of `database` on this server."""
        return f"postgresql+asyncpg://{_SUPERUSER}@/{database}?host={self.socket_dir}"

    def run(self, *command: str) -> None:
        """Run a server program (initdb, pg_ctl) as the server's user; raises
        RuntimeError with its output when it fails."""
        done = subprocess.run(
            [*self._as_user, *command], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        self.run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            _SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = " ".join(f"-c {key}={value}" for key, value in _SETTINGS.items())
        self.run(
            str(PG_BIN / "pg_ctl"),
            "start",
            "--wait",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            f"{options} -k {self.socket_dir}",
        )

    def stop(self) -> None:
        self.run(str(PG_BIN / "pg_ctl"), "stop", "--wait", "-m", "immediate", "-D", str(self.data))

    async def _admin(self, sql: str) -> None:
        # CREATE DATABASE runs outside a transaction.
        engine = create_async_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql(sql)
        finally:
            await engine.dispose()

    async def empty_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"test_{next(self._names)}"
        await self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    async def migrated_database(self) -> str:
        """A new database at the newest revision (a copy of the template); returns its URL."""
        if not self._template_ready:
            await self._admin(f"CREATE DATABASE {_TEMPLATE}")
            engine = create_engine(database_url(self.url(_TEMPLATE)))
            try:
                await migrate.upgrade(engine)
            finally:
                await engine.dispose()
            self._template_ready = True
        name = f"test_{next(self._names)}"
        # A file copy beats WAL-logging each block for a small template (no fsync here).
        await self._admin(f"CREATE DATABASE {name} TEMPLATE {_TEMPLATE} STRATEGY FILE_COPY")
        return self.url(name)


def _server_user() -> list[str]:
    """The command prefix that runs the server's programs: nothing, or runuser to the
    `postgres` user when the tests run as root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError(
            "the tests run as root, which PostgreSQL refuses, and there is no runuser to "
            "run it as the postgres user: run the tests as another user"
        )
    try:
        subprocess.run([runuser, "-u", _SUPERUSER, "--", "true"], check=True, capture_output=True)
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(
            "the tests run as root, which PostgreSQL refuses, and runuser cannot run it as "
            f"the postgres user ({exc.stderr.decode(errors='replace').strip()}): create that "
            "user or run the tests as another one"
        ) from None
    return [runuser, "-u", _SUPERUSER, "--"]


def binaries_missing() -> str | None:
    """Why no server can start here (the binaries are not in PG_BIN), or None."""
    if (PG_BIN / "postgres").exists():
        return None
    return f"PostgreSQL binaries not found in {PG_BIN} (set PG_BIN to their folder)"


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A server started in a new folder under /tmp (as the `postgres` user when run as
    root), stopped and its folder deleted at the end. RuntimeError when it cannot start
    (see `binaries_missing` and `_server_user`)."""
    as_user = _server_user()
    # Short: the socket's path must fit in about 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))
    try:
        if as_user:
            shutil.chown(folder, _SUPERUSER)
        server = PostgresServer(folder, as_user)
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: `make test-postgres` sets TEST_DATABASE=postgresql: the `db` fixture and every bot the
#: tests start (tests/harness.py) then use a fresh PostgreSQL database instead of an
#: SQLite file, and tests marked `sqlite_only` are skipped.
ON_POSTGRES = os.environ.get("TEST_DATABASE", "sqlite") == "postgresql"

#: The session's server while TEST_DATABASE=postgresql (set by `postgres_server`).
_session_server: PostgresServer | None = None
#: The database of each test folder, so a bot restarted on a folder finds its data.
_folders: dict[Path, str] = {}


async def database_for(folder: Path) -> str | Path:
    """Where a test that keeps its files in `folder` stores its database: the SQLite file
    `folder/bot.sqlite3`, or under TEST_DATABASE=postgresql a PostgreSQL database made for
    that folder on first use (the same one after a restart)."""
    if not ON_POSTGRES:
        return folder / "bot.sqlite3"
    if _session_server is None:
        raise RuntimeError("TEST_DATABASE=postgresql but no server: is tests.postgres loaded?")
    if folder not in _folders:
        _folders[folder] = await _session_server.migrated_database()
    return _folders[folder]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under TEST_DATABASE=postgresql, tests of what only SQLite has (its file, backups,
    the file lock) are skipped, saying why."""
    del config
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="about SQLite's file: not run on PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=ON_POSTGRES)
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL 15 server for this test session (or xdist worker); skips the test
    when the binaries are missing."""
    missing = binaries_missing()
    if missing:
        pytest.skip(missing)
    global _session_server
    with running_server() as server:
        _session_server = server
        try:
            yield server
        finally:
            _session_server = None


@pytest.fixture
async def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh database at the newest revision."""
    return await postgres_server.migrated_database()


@pytest.fixture
async def postgres_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database at the newest revision, disposed of at the end."""
    engine = create_engine(database_url(postgres_url))
    try:
        yield engine
    finally:
        await engine.dispose()
