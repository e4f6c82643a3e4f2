"""Storage on a real SQLite file: migrations, units of work, aggregates, FSM state; and a
scan of the storage SQL for forms PostgreSQL would refuse."""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import inspect as inspect_schema
from sqlalchemy.exc import DBAPIError, IntegrityError

from bot.config import PACKAGE_DIR
from bot.domain.catalog import PageStatus
from bot.domain.localtime import DAY
from bot.storage.base import Repository, columns, from_row
from bot.storage.broadcasts import Broadcast
from bot.storage.database import Database
from bot.storage.fsm import DatabaseStorage
from bot.storage.migrate import migration_files
from bot.storage.outbox import (
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    album_payload,
    photo_payload,
)
from bot.storage.records import Page, User
from bot.storage.repositories import Repositories
from bot.storage.seminars import Seminar
from tests.builders import add_page, open_database
from tests.clock import START

EXPECTED_TABLES = {
    "territories",
    "platforms",
    "levels",
    "themes",
    "users",
    "pages",
    "page_admins",
    "reports",
    "invites",
    "fsm_states",
    "segment_totals",
    "total_changes",
    "outbox_files",
    "seminars",
    "seminar_registrations",
    "audit_log",
}


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [version for version, _, _ in migration_files()]
    assert versions == list(range(1, len(versions) + 1))


async def test_all_migrations_apply_to_an_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "fresh.sqlite3"
    db = Database(path)
    await db.connect()
    await db.close()
    with sqlite3.connect(path) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        page_columns = {row[1] for row in conn.execute("PRAGMA table_info(pages)")}
        triggers = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
        }
    assert version == len(migration_files())
    assert tables >= EXPECTED_TABLES
    assert journal == "wal"
    assert {"link_key", "current_figure", "last_report_at", "status", "changed_at"} <= page_columns
    assert triggers == {"pages_count_insert", "pages_count_update", "pages_count_delete"}


async def test_reconnecting_applies_nothing_twice(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.connect()
    await db.close()
    await db.connect()  # would fail on "table already exists" if re-applied
    await db.close()


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.write() as repos:
            await repos.pages.add_admin(page_id=999, user_id=999, now=START)


async def test_a_failed_unit_of_work_leaves_nothing(db: Database) -> None:
    async def add_then_fail() -> None:
        async with db.write() as repos:
            await repos.users.ensure(42, now=START)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await add_then_fail()
    async with db.read() as repos:
        assert await repos.users.get(42) is None


async def _page(repos: Repositories, key: str, *, territory: int = 1, user: int = 1) -> int:
    await repos.users.ensure(user, now=START)
    return await add_page(
        repos, key, created_by=user, territory_id=territory, status=PageStatus.PENDING
    )


def database_at_version(path: Path, version: int, *, recipients: int) -> sqlite3.Connection:
    """A database migrated up to `version` only, with user 7 and their broadcast 3 to
    `recipients` being sent; returns a connection in autocommit mode."""
    conn = sqlite3.connect(path, isolation_level=None)
    for number, _, sql in migration_files()[:version]:
        conn.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    conn.execute("INSERT INTO users (id, created_at, seen_at) VALUES (7, 1, 1)")
    conn.execute(
        "INSERT INTO broadcasts (id, author_id, source_chat_id, source_message_id, segment,"
        " status, recipients, created_at) VALUES (3, 7, 7, 1, '{}', 'sending', ?, 1)",
        (recipients,),
    )
    return conn


def assert_outbox_rebuilt(path: Path, *, violation: str) -> None:
    """After a migration rebuilt `outbox`: its indexes are back, no foreign key is broken,
    and the statement `violation` fails a CHECK constraint."""
    with closing(sqlite3.connect(path)) as conn:
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(outbox)")}
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(violation)
    assert {"outbox_due", "outbox_broadcast"} <= indexes


async def test_the_outbox_rebuild_keeps_queued_rows_and_admits_photos(tmp_path: Path) -> None:
    """0004 rebuilds `outbox` for the 'photo' kind: a database queued at version 3 keeps
    its rows, their ids, statuses and indexes."""
    path = tmp_path / "v3.sqlite3"
    with closing(database_at_version(path, 3, recipients=2)) as conn:
        conn.executemany(
            "INSERT INTO outbox (id, chat_id, priority, kind, payload, broadcast_id, status,"
            " attempts, not_before, created_at) VALUES (?, 7, ?, ?, ?, ?, ?, ?, 1, 1)",
            [
                (10, 5, "copy", '{"from_chat_id":7,"message_id":1}', 3, "pending", 0),
                (11, 0, "text", '{"text":"hi"}', None, "sent", 1),
            ],
        )

    async with open_database(path) as db:
        async with db.read() as repos:
            copy, text = await repos.outbox.get(10), await repos.outbox.get(11)
            assert await repos.outbox.counts_for_broadcast(3) == {
                **dict.fromkeys(OutboxStatus, 0),
                OutboxStatus.PENDING: 1,
            }
        assert copy is not None
        assert copy.kind is OutboxKind.COPY
        assert copy.broadcast_id == 3
        assert text is not None
        assert text.status is OutboxStatus.SENT
        assert text.attempts == 1
        async with db.write() as repos:
            file = await repos.outbox.add_file(b"png", "chart.png", now=START)
            photo = await repos.outbox.add(
                7, OutboxKind.PHOTO, photo_payload(file, "Chart"), priority=6, now=START
            )
        assert photo == 12
    assert_outbox_rebuilt(
        path,
        violation="INSERT INTO outbox (chat_id, priority, kind, payload, not_before, created_at)"
        " VALUES (7, 0, 'voice', '{}', 1, 1)",
    )


async def test_the_outbox_rebuild_for_albums_keeps_queued_rows(tmp_path: Path) -> None:
    """0008 rebuilds `outbox` for the 'album' kind and counts broadcasts' items: a database
    queued at version 7 keeps its rows and indexes; its broadcasts have one item each."""
    path = tmp_path / "v7.sqlite3"
    with closing(database_at_version(path, 7, recipients=1)) as conn:
        conn.execute(
            "INSERT INTO outbox (id, chat_id, priority, kind, payload, broadcast_id, status,"
            " attempts, not_before, created_at)"
            " VALUES (10, 7, 5, 'copy', '{\"from_chat_id\":7,\"message_id\":1}', 3,"
            " 'pending', 0, 1, 1)"
        )

    async with open_database(path) as db:
        async with db.write() as repos:
            album = await repos.outbox.add(
                7, OutboxKind.ALBUM, album_payload(7, [2, 3]), priority=5, now=START
            )
            copy = await repos.outbox.get(10)
            broadcast = await repos.broadcasts.get(3)
        assert copy is not None
        assert (copy.kind, copy.status, copy.broadcast_id) == (OutboxKind.COPY, "pending", 3)
        assert album == 11
        assert broadcast is not None
        assert broadcast.items == 1
    assert_outbox_rebuilt(path, violation="UPDATE broadcasts SET items = 0 WHERE id = 3")


async def _check_aggregates(db: Database) -> None:
    """segment_totals must equal a direct GROUP BY over approved pages."""
    async with db.read() as repos:
        stored = {
            (s.territory_id, s.level, s.theme, s.platform): (s.pages, s.subscribers)
            for s in await repos.totals.segments()
        }
        direct = {
            (row[0], row[1], row[2], row[3]): (row[4], row[5])
            for row in await repos.totals._all(
                "SELECT territory_id, level, theme, platform, count(*),"
                " coalesce(sum(current_figure), 0) FROM pages WHERE status = 'approved'"
                " GROUP BY 1, 2, 3, 4"
            )
        }
    assert stored == direct


async def test_aggregates_follow_approval_reports_and_rejection(db: Database) -> None:
    async with db.write() as repos:
        first = await _page(repos, "vk.com/a")
        second = await _page(repos, "vk.com/b", territory=2)
        await repos.pages.set_current_figure(first, 1000, now=START)
    await _check_aggregates(db)
    async with db.read() as repos:
        assert await repos.totals.segments() == []  # nothing approved yet

    async with db.write() as repos:
        for page in (first, second):
            await repos.pages.decide(
                page, status=PageStatus.APPROVED, reason=None, decided_by=1, now=START
            )
        await repos.pages.set_current_figure(second, 500, now=START + 10)
        await repos.pages.set_current_figure(first, 1200, now=START + 20)
    await _check_aggregates(db)
    async with db.read() as repos:
        assert sum(s.subscribers for s in await repos.totals.segments()) == 1700
        changes = await repos.totals.changes(week_since=START - 3600, month_since=START - 3600)
    assert changes == {1: (1200, 1200), 2: (500, 500)}


async def test_changes_are_booked_at_the_time_they_happen(db: Database) -> None:
    day = DAY
    async with db.write() as repos:
        page = await _page(repos, "vk.com/a")
        await repos.pages.decide(
            page, status=PageStatus.APPROVED, reason=None, decided_by=1, now=START
        )
        await repos.pages.set_current_figure(page, 100, now=START)
        await repos.pages.set_current_figure(page, 150, now=START + 20 * day)
        await repos.pages.set_current_figure(page, 180, now=START + 29 * day)
    async with db.read() as repos:
        changes = await repos.totals.changes(
            week_since=START + 29 * day - 7 * day, month_since=START + 29 * day - 30 * day
        )
    assert changes == {1: (30, 180)}


async def test_a_rejected_link_can_be_registered_again(db: Database) -> None:
    async with db.write() as repos:
        page = await _page(repos, "vk.com/a")
        await repos.pages.decide(
            page, status=PageStatus.REJECTED, reason="x", decided_by=1, now=START
        )
        await _page(repos, "vk.com/a")
    with pytest.raises(IntegrityError):
        async with db.write() as repos:
            await _page(repos, "vk.com/a")


async def test_a_report_is_stored_once_per_update(db: Database) -> None:
    async with db.write() as repos:
        page = await _page(repos, "vk.com/a")
        first = await repos.reports.add(
            page_id=page, figure=5, reported_by=1, update_id=77, now=START
        )
        again = await repos.reports.add(
            page_id=page, figure=5, reported_by=1, update_id=77, now=START
        )
        imported = [
            await repos.reports.add(
                page_id=page, figure=6, reported_by=1, update_id=None, now=START
            )
            for _ in range(2)
        ]
    assert first is not None
    assert again is None
    # Reports without an update (imports) are never taken for redeliveries: each is a row.
    assert None not in imported
    assert len(set(imported)) == 2
    assert first not in imported
    async with db.read() as repos:
        stored = await repos.reports.history(page, limit=10)
    assert sorted(report.figure for report in stored) == [5, 6, 6]


async def test_concurrent_writers_on_one_file_do_not_fail(tmp_path: Path) -> None:
    """Two processes' worth of writers: BEGIN IMMEDIATE makes them queue, not fail."""
    path = tmp_path / "shared.sqlite3"
    one, two = Database(path), Database(path)
    await one.connect()
    await two.connect()
    try:

        async def bump(db: Database, user_id: int) -> None:
            for _ in range(20):
                async with db.write() as repos:
                    found = await repos.users.get(user_id)  # read, then write: the risky shape
                    if found is None:
                        await repos.users.ensure(user_id, now=START)
                    await repos.users.set_locale(user_id, "en")

        await asyncio.gather(bump(one, 1), bump(two, 1), bump(one, 2), bump(two, 2))
    finally:
        await one.close()
        await two.close()


async def test_wizard_state_survives_a_restart(tmp_path: Path) -> None:
    key = StorageKey(bot_id=1, chat_id=10, user_id=10)
    db = Database(tmp_path / "bot.sqlite3")
    await db.connect()
    storage = DatabaseStorage(db)
    await storage.set_state(key, "Register:title")
    await storage.set_data(key, {"draft": {"url": "https://vk.com/a"}})
    await db.close()

    reopened = Database(tmp_path / "bot.sqlite3")
    await reopened.connect()
    storage = DatabaseStorage(reopened)
    try:
        assert await storage.get_state(key) == "Register:title"
        assert await storage.get_data(key) == {"draft": {"url": "https://vk.com/a"}}
        other = StorageKey(bot_id=1, chat_id=11, user_id=11)
        assert await storage.get_state(other) is None
        assert await storage.get_data(other) == {}
    finally:
        await reopened.close()


async def test_a_users_source_is_recorded_once_and_counted_by_week(db: Database) -> None:
    async with db.write() as repos:
        for user_id, now in ((1, START), (2, START + 10), (3, START - 30 * DAY)):
            await repos.users.ensure(user_id, now=now)
        assert await repos.users.set_source(1, "vk_post_0412")
        assert not await repos.users.set_source(1, "site")  # the first one stays
        assert await repos.users.set_source(3, "site")
    async with db.read() as repos:
        assert await repos.users.source(1) == "vk_post_0412"
        assert await repos.users.source(2) is None
        newcomers = await repos.digests.newcomers(since=START - DAY, until=START + 60)
    assert newcomers == [(None, 1), ("vk_post_0412", 1)]


async def test_a_source_longer_than_telegram_allows_is_refused(db: Database) -> None:
    async with db.write() as repos:
        await repos.users.ensure(1, now=START)
    with pytest.raises(IntegrityError):
        async with db.write() as repos:
            await repos.users.set_source(1, "x" * 65)


async def test_a_username_is_found_whatever_its_case_by_its_index(db: Database) -> None:
    async with db.write() as repos:
        for user_id, username, now in ((1, "Anna_K", START), (2, "anna_k", START + 5)):
            await repos.users.touch(
                user_id, username=username, full_name="Anna", language_code="ru", now=now
            )
        await repos.users.touch(3, username="boris", full_name="B", language_code=None, now=START)
    async with db.read() as repos:
        found = await repos.users.by_username("ANNA_K")
        missing = await repos.users.by_username("anna")
    plan = await _query_plan(
        db, "SELECT id FROM users WHERE lower(username) = lower(:name)", {"name": "x"}
    )
    assert found is not None
    assert found.id == 2  # the one seen last
    assert missing is None
    assert "users_username" in plan, plan


async def _query_plan(db: Database, sql: str, params: dict[str, Any]) -> str:
    """The plan the engine makes for the query `sql`, one step a line. PostgreSQL is told
    to use an index wherever one applies: on a table of a few rows it would scan."""
    async with db.read() as repos:
        if db.dialect.is_sqlite:
            rows = await repos.users._all(f"EXPLAIN QUERY PLAN {sql}", params)
        else:
            await repos.users._run("SET LOCAL enable_seqscan = off")
            rows = await repos.users._all(f"EXPLAIN {sql}", params)
    return "\n".join(str(row[-1]) for row in rows)


@pytest.mark.parametrize(
    ("record", "table"),
    [
        (User, "users"),
        (Page, "pages"),
        (Broadcast, "broadcasts"),
        (Seminar, "seminars"),
        (OutboxMessage, "outbox"),
    ],
)
async def test_the_fields_of_a_record_are_columns_of_its_table(
    db: Database, record: type[Any], table: str
) -> None:
    async with db.read() as repos:
        table_columns = await repos.users._conn.run_sync(
            lambda conn: {column["name"] for column in inspect_schema(conn).get_columns(table)}
        )
    assert set(columns(record).split(", ")) <= table_columns


def test_a_row_narrower_than_its_record_is_refused() -> None:
    with pytest.raises(ValueError, match="13 fields, the row 12"):
        from_row(OutboxMessage, (0,) * 12)


# --------------------------------------------------------------------------- portable SQL

STORAGE = PACKAGE_DIR / "storage"

# SQL only SQLite accepts, each with the form PostgreSQL accepts too (bot.storage.base).
SQLITE_ONLY = {
    "cursor.lastrowid (use INSERT ... RETURNING id)": re.compile(r"\blastrowid\b"),
    "INSERT OR IGNORE/REPLACE (use ON CONFLICT)": re.compile(
        r"\bINSERT\s+OR\s+(IGNORE|REPLACE|ABORT|FAIL|ROLLBACK)\b", re.I
    ),
    "a positional ? placeholder (use :name)": re.compile(r"""[\s(,=<>"']\?\d*(?=[\s),;"']|$)"""),
    "COLLATE NOCASE (use lower(...))": re.compile(r"\bCOLLATE\s+NOCASE\b", re.I),
    # PostgreSQL: "column reference is ambiguous" (the table's row or the excluded one).
    "an upsert reading an unqualified column (alias the table)": re.compile(
        r"\bDO\s+UPDATE\s+SET\s+(?:[^\"]*?,\s*)?(\w+)\s*=\s*\1\b", re.I
    ),
}


def _storage_sources() -> dict[str, str]:
    """The storage package's Python modules (not the migrations), by file name."""
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(STORAGE.glob("*.py"))}


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        ("cursor.lastrowid (use INSERT ... RETURNING id)", "row_id = cursor.lastrowid"),
        ("INSERT OR IGNORE/REPLACE (use ON CONFLICT)", '"INSERT OR IGNORE INTO m (a) VALUES'),
        ("INSERT OR IGNORE/REPLACE (use ON CONFLICT)", '"insert or replace into m'),
        ("a positional ? placeholder (use :name)", '"SELECT a FROM t WHERE id = ?"'),
        ("a positional ? placeholder (use :name)", '" VALUES (?, ?, ?)"'),
        ("a positional ? placeholder (use :name)", '" AND (?1 IS NULL OR x = ?1)"'),
        ("COLLATE NOCASE (use lower(...))", '" ORDER BY p.title COLLATE NOCASE, p.id"'),
        (
            "an upsert reading an unqualified column (alias the table)",
            '" ON CONFLICT (a) DO UPDATE SET n = n + excluded.n"',
        ),
        (
            "an upsert reading an unqualified column (alias the table)",
            '" DO UPDATE SET b = excluded.b, n = n + 1"',
        ),
    ],
)
def test_the_sqlite_only_patterns_catch_what_they_name(name: str, sample: str) -> None:
    assert SQLITE_ONLY[name].search(sample), sample


def test_the_sqlite_only_patterns_spare_portable_sql() -> None:
    portable = (
        '"SELECT a FROM t WHERE id = :id AND b IN (SELECT value FROM x)"'
        '  # payload {"text", "reply_markup"?}'
        '" INSERT INTO m (a) VALUES (:a) ON CONFLICT (a) DO NOTHING RETURNING id"'
        '" ORDER BY lower(p.title), p.id"'
        '" INSERT INTO m AS o (a, n) VALUES (:a, :n)"'
        '" ON CONFLICT (a) DO UPDATE SET n = o.n + excluded.n, b = excluded.b"'
        '"""Insert or refresh territories."""'
    )
    assert not [name for name, pattern in SQLITE_ONLY.items() if pattern.search(portable)]


def test_storage_sql_is_what_postgresql_accepts_too() -> None:
    found = [
        f"{file}:{source.count(chr(10), 0, match.start()) + 1}: {name}"
        for file, source in _storage_sources().items()
        for name, pattern in SQLITE_ONLY.items()
        for match in pattern.finditer(source)
    ]
    assert found == []


#: A parameter compared only with NULL (`:x IS NULL OR ...`): asyncpg cannot infer its
#: type and refuses the statement; build the SQL with or without the condition instead.
UNTYPED_NULL_TEST = re.compile(r":\w+\s+IS\s+(NOT\s+)?NULL", re.I)


def test_no_parameter_is_typed_only_by_a_null_test() -> None:
    assert UNTYPED_NULL_TEST.search('" AND (:territory IS NULL OR p.territory_id = :territory)"')
    found = [
        file for file, source in _storage_sources().items() if UNTYPED_NULL_TEST.search(source)
    ]
    assert found == []


def test_lists_of_values_are_passed_in_one_place() -> None:
    """json_each (PostgreSQL: unnest) is written only in bot.storage.dialect."""
    sources = _storage_sources()
    assert [file for file, source in sources.items() if "json_each" in source] == ["dialect.py"]


def test_every_repository_runs_its_sql_through_the_base() -> None:
    """Every repository the unit of work hands out inherits Repository and keeps no
    connection code of its own: only bot.storage.base touches the connection."""
    holder = inspect.getsource(Repositories.__init__)
    classes = [
        getattr(module, name)
        for module in (
            importlib.import_module(f"bot.storage.{path.stem}")
            for path in STORAGE.glob("*.py")
            if path.stem != "__init__"
        )
        for name in vars(module)
        if name.endswith("Repository") and name != "Repository"
    ]
    assert {cls.__name__ for cls in classes} == set(
        re.findall(r"(\w+Repository)\(conn, dialect\)", holder)
    )
    for cls in classes:
        assert issubclass(cls, Repository), cls
        assert "__init__" not in vars(cls), cls
    uses_connection = {
        file
        for file, source in _storage_sources().items()
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "_conn"
    }
    assert uses_connection == {"base.py"}


async def test_a_failing_statement_names_no_value_it_was_given(db: Database) -> None:
    """Errors are logged with their traceback: what users typed, invite codes and wizard
    state stay out of them."""
    with pytest.raises(DBAPIError) as failed:
        async with db.write() as repos:
            await repos.users._run("INSERT INTO nowhere (x) VALUES (:x)", {"x": "invite-XYZ"})
    assert "nowhere" in str(failed.value)
    assert "invite-XYZ" not in str(failed.value)
