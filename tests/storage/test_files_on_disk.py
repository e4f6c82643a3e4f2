"""What needs real files: the migrate command's database, catalogues compiled on disk."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import LOCALES_DIR
from bot.i18n import CataloguesNotCompiled, build_i18n
from bot.storage.migrate import migration_files

TOKEN = "123456:ABCdef-secret"


def test_migrate_command_creates_an_up_to_date_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "sub" / "bot.sqlite3"
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    assert main(["migrate"]) == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migration_files())


def test_the_bot_refuses_catalogues_not_compiled(tmp_path: Path) -> None:
    """Stale .mo files would show English message ids to Russian users without a word."""
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales)
    assert build_i18n(locales, "ru").gettext("Help", locale="ru") == "Справка"
    po = locales / "ru" / "LC_MESSAGES" / "messages.po"
    compiled = po.with_suffix(".mo").stat().st_mtime
    os.utime(po, (compiled + 10, compiled + 10))
    with pytest.raises(CataloguesNotCompiled, match="make locales"):
        build_i18n(locales, "ru")
    po.with_suffix(".mo").unlink()
    with pytest.raises(CataloguesNotCompiled, match=r"ru/LC_MESSAGES/messages\.po"):
        build_i18n(locales, "ru")


def test_migrate_backup_and_restore_need_no_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only `run` talks to Telegram; the maintenance commands work without BOT_TOKEN."""
    path = tmp_path / "bot.sqlite3"
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(path))
    assert main(["migrate"]) == 0
    copy = tmp_path / "copy.sqlite3"
    assert main(["backup", str(copy)]) == 0
    assert main(["restore", str(copy)]) == 0
    assert capsys.readouterr().out.startswith(f"{copy}\nRestored {path} from {copy}.")
    assert main(["run"]) == 2
    assert "BOT_TOKEN is not set" in capsys.readouterr().err
