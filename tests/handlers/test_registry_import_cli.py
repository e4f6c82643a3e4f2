"""`python -m bot import FILE [--dry-run]`: the same checks as /import, from a shell."""

from __future__ import annotations

import csv
import io
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.cli_import import invites_path, run_import
from bot.domain.registry_import import COLUMNS
from tests.fakes.bot_api import FakeUser
from tests.handlers.test_registry_import import EXPECTED_PROBLEMS, ROWS, csv_file
from tests.harness import BotHarness
from tests.users import ADMIN_EN

GOOD = [
    ["https://vk.com/c1", "Первая", "penza", "regional", "culture", "@newcomer", "100"],
    ["https://vk.com/c2", "Вторая", "kuznetsk", "municipal", "sport", "", "250"],
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings from the environment, as a shell would give them; returns the database."""
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    database = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("DATABASE_PATH", str(database))
    monkeypatch.setenv("SUPERADMIN_IDS", "555,100")
    return database


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(database)) as conn:
        return conn.execute(sql).fetchall()


def test_the_dry_run_prints_every_bad_row_and_writes_nothing(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "реестр.csv"
    source.write_bytes(csv_file(ROWS))
    assert main(["import", str(source), "--dry-run"]) == 0
    out = capsys.readouterr().out.splitlines()
    # Line 6's page is not registered in this database: only the other problems.
    expected = [line for line in EXPECTED_PROBLEMS if not line.startswith("Строка 6:")]
    assert out == [
        "12 строк с ошибками, они будут пропущены:",
        *expected,
        "Файл «реестр.csv»: проверено 17 строк.",
        "Можно импортировать 5 страниц.",
        "Пробный прогон: ничего не записано.",
    ]
    assert query(env, "SELECT count(*) FROM pages") == [(0,)]
    assert query(env, "SELECT count(*) FROM imports") == [(0,)]


def test_the_import_applies_and_writes_the_invite_links_beside_the_file(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "registry.csv"
    source.write_bytes(csv_file(GOOD))
    assert main(["import", str(source), "--bot-username", "region_bot"]) == 0
    out = capsys.readouterr().out
    target = invites_path(source)
    assert target == tmp_path / "registry.invites.csv"
    assert f"Файл с приглашениями: {target}" in out
    table = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert table[1][:3] == ["https://vk.com/c1", "Первая", "@newcomer"]
    assert table[1][3].startswith("https://t.me/region_bot?start=inv_")

    assert query(env, "SELECT link_key, status, current_figure FROM pages ORDER BY id") == [
        ("vk.com/c1", "approved", 100),
        ("vk.com/c2", "approved", 250),
    ]
    # Invites are the lowest superadmin's; the audit entry is the command line's.
    assert query(env, "SELECT created_by FROM invites") == [(100,)]
    assert query(env, "SELECT actor_id, action FROM audit_log") == [(None, "import_applied")]

    # Everything is registered now: nothing to apply, and the exit code says so.
    assert main(["import", str(source), "--bot-username", "region_bot"]) == 1
    assert "Строка 2: уже зарегистрирована как «Первая»" in capsys.readouterr().out


def test_an_unreadable_file_exits_with_2(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ansi.csv"
    source.write_bytes(csv_file(GOOD, encoding="cp1251"))
    assert main(["import", str(source), "--dry-run"]) == 2
    assert capsys.readouterr().err.startswith("Файл в кодировке Windows-1251, а не UTF-8.")
    assert main(["import", str(tmp_path / "missing.csv")]) == 2
    assert "Cannot read" in capsys.readouterr().err
    header_only = tmp_path / "empty.csv"
    header_only.write_bytes(csv_file([], header=COLUMNS))
    assert main(["import", str(header_only)]) == 1
    assert query(env, "SELECT count(*) FROM pages") == [(0,)]


async def test_invite_links_of_the_command_line_work_in_the_running_bot(
    bot: BotHarness, tmp_path: Path
) -> None:
    """The command line beside the running bot: the bot's username comes from Telegram,
    a named administrator who uses the bot is told by the bot's queue, a newcomer joins
    with their link."""
    await bot.send(ADMIN_EN, "/start")
    source = tmp_path / "registry.csv"
    rows = [*GOOD, ["https://vk.com/c3", "Третья", "penza", "regional", "culture", "@john", ""]]
    source.write_bytes(csv_file(rows))
    out = io.StringIO()
    code = await run_import(
        bot.app.settings, source, dry_run=False, as_user=100, out=out, clock=bot.clock
    )
    assert code == 0, out.getvalue()
    await bot.drain()
    assert "«Третья»" in (bot.fake.last_message(ADMIN_EN.id).text or "")

    table = list(
        csv.reader(io.StringIO(invites_path(source).read_text("utf-8-sig")), delimiter=";")
    )
    link = table[1][3]
    prefix = f"https://t.me/{bot.fake.username}?start="
    assert link.startswith(prefix)
    newcomer = bot.fake.add_user(FakeUser(id=901, first_name="Нина", username="newcomer"))
    await bot.send(newcomer, "/start " + link.removeprefix(prefix))
    async with bot.db.read() as repos:
        assert [page.title for page in await repos.pages.of_admin(newcomer.id)] == ["Первая"]


def test_without_a_token_the_import_runs_unless_it_must_ask_telegram(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOT_TOKEN")
    source = tmp_path / "registry.csv"
    source.write_bytes(csv_file(GOOD))
    assert main(["import", str(source), "--dry-run"]) == 0
    assert main(["import", str(source)]) == 2  # @newcomer's invite link needs the username
    assert "set BOT_TOKEN" in capsys.readouterr().err
    assert query(env, "SELECT count(*) FROM pages") == [(0,)]
    assert main(["import", str(source), "--bot-username", "region_bot"]) == 0
    assert query(env, "SELECT count(*) FROM pages") == [(2,)]
