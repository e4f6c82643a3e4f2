"""Alembic migrations on both databases: every revision's downgrade undoes exactly what its
upgrade did (the stairway), a failing revision leaves nothing behind, a database the
numbered runner made carries over with its data, and the aggregates' triggers keep
segment_totals and total_changes exact on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage import migrate
from bot.storage.dialect import create_engine, database_url
from tests.postgres import PostgresServer

REVISIONS = migrate.revisions()
HEAD = REVISIONS[-1]

#: A schema as the catalog lists it: kind of object -> sorted rows describing them.
Schema = dict[str, list[tuple[Any, ...]]]


def _sqlite_engine(path: Path) -> AsyncEngine:
    """The bot's engine on the SQLite file `path` (BEGIN IMMEDIATE, foreign keys on)."""
    return create_engine(database_url(path))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine_kind(request: pytest.FixtureRequest) -> str:
    """Each database the bot runs on."""
    return str(request.param)


async def _engine(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool
) -> AsyncIterator[AsyncEngine]:
    if kind == "sqlite":
        engine = _sqlite_engine(tmp_path / "bot.sqlite3")
        if migrated:
            await migrate.upgrade(engine)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = await (server.migrated_database() if migrated else server.empty_database())
        engine = create_engine(database_url(url))
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def empty(
    engine_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database of each kind."""
    async for engine in _engine(engine_kind, request, tmp_path, migrated=False):
        yield engine


@pytest.fixture
async def migrated(
    engine_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[AsyncEngine]:
    """An engine on a database of each kind at the newest revision (on PostgreSQL a copy
    of the server's migrated template)."""
    async for engine in _engine(engine_kind, request, tmp_path, migrated=True):
        yield engine


async def _rows(conn: AsyncConnection, sql: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(row) for row in (await conn.execute(text(sql))).all())


#: Alembic's own table is left out of the schemas compared.
_OURS = "AND tbl_name <> 'alembic_version'"


async def _sqlite_schema(conn: AsyncConnection) -> Schema:
    tables = [
        name
        for (name,) in await _rows(
            conn, f"SELECT name FROM sqlite_master WHERE type = 'table' {_OURS}"
        )
    ]
    schema: Schema = {
        "tables": [(name,) for name in tables],
        # CHECK constraints appear only in the text: compared without comments and spacing.
        "definitions": [
            (name, _normalised(sql))
            for name, sql in await _rows(
                conn, f"SELECT name, sql FROM sqlite_master WHERE type = 'table' {_OURS}"
            )
        ],
        "indexes": await _rows(
            conn, f"SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' {_OURS}"
        ),
        "triggers": await _rows(
            conn, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        ),
        "columns": [],
        "foreign keys": [],
    }
    for table in tables:
        schema["columns"] += [
            (table, *row[1:]) for row in await _rows(conn, f"PRAGMA table_info({table})")
        ]
        schema["foreign keys"] += [
            (table, *row[2:]) for row in await _rows(conn, f"PRAGMA foreign_key_list({table})")
        ]
    return {kind: sorted(rows) for kind, rows in schema.items()}


def _normalised(sql: str) -> str:
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return " ".join(" ".join(lines).replace('"', "").split()).replace("( ", "(").replace(" )", ")")


async def _postgresql_schema(conn: AsyncConnection) -> Schema:
    return {
        "tables": await _rows(
            conn,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_name <> 'alembic_version'",
        ),
        "columns": await _rows(
            conn,
            "SELECT table_name, column_name, data_type, is_nullable, column_default,"
            " is_identity FROM information_schema.columns WHERE table_schema = 'public'"
            " AND table_name <> 'alembic_version'",
        ),
        "constraints": await _rows(
            conn,
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace"
            " AND conrelid::regclass::text <> 'alembic_version'",
        ),
        "indexes": await _rows(
            conn,
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'",
        ),
        "triggers": await _rows(
            conn,
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
            " WHERE NOT tgisinternal",
        ),
        "functions": await _rows(
            conn,
            "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace",
        ),
    }


async def _schema(engine: AsyncEngine) -> Schema:
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return await _sqlite_schema(conn)
        return await _postgresql_schema(conn)


async def _version(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()


def test_a_revision_per_numbered_script_with_a_postgresql_form() -> None:
    """Revision N runs the script N on SQLite and its namesake under postgresql/, and
    undoes it with its namesake under downgrade/ (postgresql/downgrade/ only where the
    databases differ)."""
    names = [name for _, name, _ in migrate.migration_files()]
    assert [name[:4] for name in names] == REVISIONS
    folder = Path(migrate.__file__).with_name("migrations")
    for scripts in (folder / "postgresql", folder / "downgrade"):
        assert sorted(path.name for path in scripts.glob("*.sql")) == names
    assert {path.name for path in (folder / "postgresql" / "downgrade").glob("*")} < set(names)


def test_sqlite_scripts_split_into_whole_statements() -> None:
    """A trigger's body stays whole, and semicolons in comments split nothing."""
    core = migrate.migration_files()[0][2]
    statements = migrate.sqlite_statements(core)
    assert all(sqlite3.complete_statement(statement) for statement in statements)
    triggers = [s for s in statements if "CREATE TRIGGER" in s]
    assert len(triggers) == 3
    assert all(s.rstrip().endswith("END;") for s in triggers)
    assert migrate.sqlite_statements("-- a; b\nSELECT 1; -- c;\n") == ["-- a; b\nSELECT 1;"]
    with pytest.raises(ValueError, match="ends inside a statement"):
        migrate.sqlite_statements("SELECT 1; SELECT")


async def test_every_downgrade_undoes_its_upgrade(empty: AsyncEngine) -> None:
    """The stairway: up to each revision, one step down, up again; each step gives the
    schema the straight upgrade gave at that revision."""
    straight = {"base": await _schema(empty)}
    for revision in REVISIONS:
        await migrate.upgrade(empty, revision)
        straight[revision] = await _schema(empty)
    await migrate.downgrade(empty, "base")
    assert await _schema(empty) == straight["base"]

    previous = "base"
    for revision in REVISIONS:
        await migrate.upgrade(empty, revision)
        assert await _schema(empty) == straight[revision], revision
        await migrate.downgrade(empty, "-1")
        assert await _schema(empty) == straight[previous], f"{revision} down"
        await migrate.upgrade(empty, revision)
        assert await _version(empty) == revision
        previous = revision
    assert await _schema(empty) == straight[HEAD]


async def test_a_failing_revision_leaves_nothing_behind(
    empty: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each revision is a transaction, its script included: one that fails after its
    script ran keeps the revisions before it and nothing of its own."""
    set_version: Callable[[Any, int], None] = migrate._set_version

    def failing_second(connection: Any, number: int) -> None:
        if number == int(REVISIONS[1]):
            raise RuntimeError("stopped after the script")
        set_version(connection, number)

    monkeypatch.setattr(migrate, "_set_version", failing_second)
    with pytest.raises(RuntimeError, match="stopped after the script"):
        await migrate.upgrade(empty)
    assert await _version(empty) == REVISIONS[0]
    tables = {row[0] for row in (await _schema(empty))["tables"]}
    assert "pages" in tables
    assert "outbox" not in tables


@pytest.mark.postgres
async def test_replicas_starting_together_migrate_one_after_the_other(
    postgres_server: PostgresServer,
) -> None:
    """Several processes upgrading one PostgreSQL database at once: each waits for the
    migration lock, and finds the work done."""
    url = database_url(await postgres_server.empty_database())
    engines = [create_engine(url) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate.upgrade(engine) for engine in engines))
        assert await _version(engines[0]) == HEAD
    finally:
        for engine in engines:
            await engine.dispose()


def _numbered_runner(path: Path, version: int) -> None:
    """The database the numbered runner (before Alembic) left at migration `version`."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for number, _, sql in migrate.migration_files()[:version]:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
        conn.execute("INSERT INTO territories VALUES (1, 'r', 'region', 'Р', 'R', 1)")
        conn.execute(
            "INSERT INTO users (id, created_at, seen_at, reachable) VALUES (5000000000, 1, 300, 0)"
        )
        conn.execute(
            "INSERT INTO pages (id, link_key, url, platform, title, territory_id, level, theme,"
            " status, created_by, created_at, current_figure, last_report_at, changed_at)"
            " VALUES (1, 'vk.com/a', 'u', 'vk', 'A', 1, 'municipal', 'culture', 'approved',"
            " 5000000000, 1, 120, 400, 500)"
        )


async def _carry_over(path: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    """Upgrade the SQLite file `path` to the newest revision; returns the migrations
    applied (as logged) after checking that Alembic tracks the database at the newest."""
    engine = _sqlite_engine(path)
    try:
        with caplog.at_level(logging.INFO, logger="bot.storage.migrate"):
            await migrate.upgrade(engine)
        assert await _version(engine) == HEAD
    finally:
        await engine.dispose()
    return [r.getMessage() for r in caplog.records if r.msg == "Applying migration %s"]


async def test_a_database_of_the_numbered_runner_carries_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Stamped at its `user_version`, then upgraded with what it holds: only the newer
    migrations run, their data migrations included, and `user_version` follows."""
    path = tmp_path / "old.sqlite3"
    _numbered_runner(path, 10)
    applied = await _carry_over(path, caplog)
    assert applied == [f"Applying migration {n}" for _, n, _ in migrate.migration_files()[10:]]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (int(HEAD),)
        assert conn.execute("SELECT unreachable_since FROM users").fetchall() == [(300,)]
        assert conn.execute("SELECT * FROM page_departures").fetchall() == [(1, 1, 5000000000, 500)]
        assert conn.execute("SELECT reported_figure FROM pages").fetchall() == [(120,)]
        assert conn.execute("SELECT * FROM segment_totals").fetchall() == [
            (1, "municipal", "culture", "vk", 1, 120)
        ]


async def test_a_database_of_the_numbered_runner_at_the_newest_is_only_stamped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "current.sqlite3"
    _numbered_runner(path, len(REVISIONS))
    assert await _carry_over(path, caplog) == []


async def test_a_database_of_the_numbered_runner_newer_than_the_code_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "newer.sqlite3"
    _numbered_runner(path, len(REVISIONS))
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {len(REVISIONS) + 1}")
    engine = _sqlite_engine(path)
    try:
        with pytest.raises(RuntimeError, match=f"migration {len(REVISIONS) + 1}, .*update the bot"):
            await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    with closing(sqlite3.connect(path)) as conn:
        assert (
            conn.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchall()
            == []
        )


async def test_a_new_sqlite_database_gets_the_newest_user_version(tmp_path: Path) -> None:
    """Backups check `user_version`: a database Alembic made has it as well."""
    path = tmp_path / "new.sqlite3"
    engine = _sqlite_engine(path)
    try:
        await migrate.upgrade(engine, REVISIONS[4])
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone() == (5,)
        await migrate.upgrade(engine)
        await migrate.downgrade(engine, REVISIONS[-3])
    finally:
        await engine.dispose()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(REVISIONS) - 2,)


_RECOUNTED = """
SELECT territory_id, level, theme, platform, count(*), sum(coalesce(current_figure, 0))
  FROM pages WHERE status = 'approved' GROUP BY territory_id, level, theme, platform
"""
_APPROVED_BY_TERRITORY = """
SELECT territory_id, sum(coalesce(current_figure, 0))
  FROM pages WHERE status = 'approved' GROUP BY territory_id
"""
_HOUR = 3600
_BIG_USER = 5_000_000_000  # a Telegram id beyond 32 bits
_INSERT_PAGE = """
INSERT INTO pages (link_key, url, platform, title, territory_id, level, theme, status,
                   created_by, created_at, current_figure, changed_at)
VALUES (:key, 'u', :platform, 't', :territory, :level, 'culture', :status,
        :user, 0, :figure, :now)
RETURNING id
"""


async def test_triggers_keep_the_aggregates_exact(migrated: AsyncEngine) -> None:
    """After every kind of change of a page: segment_totals is the GROUP BY of the
    approved pages, and total_changes holds each change of a territory's total in the
    hour it was made (a deleted page's in the hour of its last change)."""
    booked: dict[tuple[int, int], int] = {}
    async with migrated.begin() as conn:
        territories = [
            (
                await conn.execute(
                    text(
                        "INSERT INTO territories (code, kind, name_ru, name_en, sort)"
                        " VALUES (:code, 'urban_district', 'Т', 'T', 1) RETURNING id"
                    ),
                    {"code": code},
                )
            ).scalar_one()
            for code in ("t1", "t2")
        ]
        await conn.execute(
            text("INSERT INTO users (id, created_at, seen_at) VALUES (:id, 0, 0)"),
            {"id": _BIG_USER},
        )
    first, second = territories

    async def change(hour: int, sql: str, **values: Any) -> int | None:
        async with migrated.begin() as conn:
            before = dict(await _rows(conn, _APPROVED_BY_TERRITORY))
            result = await conn.execute(text(sql), {"now": hour * _HOUR + 5, **values})
            page = result.scalar_one() if result.returns_rows else None
            after = dict(await _rows(conn, _APPROVED_BY_TERRITORY))
            for territory in set(before) | set(after):
                delta = after.get(territory, 0) - before.get(territory, 0)
                booked[hour, territory] = booked.get((hour, territory), 0) + delta
            totals = await _rows(
                conn,
                "SELECT territory_id, level, theme, platform, pages, subscribers"
                " FROM segment_totals WHERE pages <> 0",
            )
            assert totals == await _rows(conn, _RECOUNTED)
            emptied = "SELECT * FROM segment_totals WHERE pages = 0 AND subscribers <> 0"
            assert await _rows(conn, emptied) == []
            changes = await _rows(conn, "SELECT hour, territory_id, delta FROM total_changes")
            assert [c for c in changes if c[2]] == sorted(
                (hour, territory, delta) for (hour, territory), delta in booked.items() if delta
            )
        return page

    def page(key: str, *, status: str, figure: int | None, territory: int) -> dict[str, Any]:
        return {
            "key": key,
            "platform": "vk",
            "level": "municipal",
            "status": status,
            "figure": figure,
            "territory": territory,
            "user": _BIG_USER,
        }

    a = await change(1, _INSERT_PAGE, **page("a", status="approved", figure=100, territory=first))
    b = await change(1, _INSERT_PAGE, **page("b", status="approved", figure=None, territory=first))
    c = await change(2, _INSERT_PAGE, **page("c", status="pending", figure=50, territory=second))
    set_page = "UPDATE pages SET {}, changed_at = :now WHERE id = :id"
    await change(3, set_page.format("status = 'approved'"), id=c)
    await change(4, set_page.format("current_figure = 150"), id=a)
    await change(4, set_page.format("territory_id = :t"), id=a, t=second)
    await change(5, set_page.format("level = 'regional', current_figure = 10"), id=b)
    await change(5, set_page.format("platform = 'ok'"), id=b)
    await change(6, set_page.format("status = 'rejected'"), id=c)
    await change(7, set_page.format("current_figure = 3"), id=c)  # not counted: no booking
    await change(8, set_page.format("current_figure = 151"), id=a)
    await change(8, set_page.format("current_figure = 150"), id=a)  # nets to nothing
    await change(9, "UPDATE pages SET title = 'renamed' WHERE id = :id", id=a)
    await change(8, "DELETE FROM pages WHERE id = :id", id=a)  # booked at its last change
    await change(10, "DELETE FROM pages WHERE id = :id", id=c)
    assert booked[4, second] == 150
    assert booked[8, second] == -150
