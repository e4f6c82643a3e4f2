"""Webhook mode's settings: where Telegram posts, and the refusal to start without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import SettingsError, load_settings

TOKEN = "123456:TEST-TOKEN"


@pytest.mark.parametrize(
    ("base", "path", "url"),
    [
        (
            "https://bot.example.org",
            "/telegram/webhook",
            "https://bot.example.org/telegram/webhook",
        ),
        ("https://bot.example.org/", "/tg", "https://bot.example.org/tg"),
        ("https://example.org:8443/bot", "/hook", "https://example.org:8443/bot/hook"),
    ],
)
def test_the_webhook_url_is_the_base_and_the_path(base: str, path: str, url: str) -> None:
    settings = load_settings(
        _env_file=None, webhook_url=base, webhook_path=path, webhook_secret="abc-DEF_123"
    )
    target = settings.require_webhook()
    assert (target.url, target.secret) == (url, "abc-DEF_123")


@pytest.mark.parametrize("secret", ["a+b", "with space", "секрет", "a" * 257])
def test_a_secret_telegram_would_refuse_is_named_without_echoing_it(secret: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None, webhook_secret=secret)
    assert str(refused.value).startswith("WEBHOOK_SECRET is malformed")
    assert secret not in str(refused.value)


def test_a_webhook_path_must_be_a_path() -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_PATH is malformed"):
        load_settings(_env_file=None, webhook_path="telegram")


@pytest.mark.parametrize(
    ("env", "args", "missing"),
    [
        ({"WEBHOOK_URL": "https://bot.example.org"}, ["webhook"], "WEBHOOK_SECRET"),
        ({"RUN_MODE": "webhook", "WEBHOOK_URL": "https://bot.example.org"}, [], "WEBHOOK_SECRET"),
        ({"RUN_MODE": "webhook", "WEBHOOK_SECRET": "abc"}, ["run"], "WEBHOOK_URL"),
    ],
)
def test_webhook_mode_refuses_to_start_without_its_settings(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    env: dict[str, str],
    args: list[str],
    missing: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("RUN_MODE", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"Cannot start: {missing} is not set"), error
    assert not (tmp_path / "bot.sqlite3").exists()


@pytest.mark.parametrize(
    ("url", "code", "said"),
    [
        ("mysql://bot@db/bot", 2, "DATABASE_URL: unsupported database 'mysql'"),
        ("not a url", 2, "DATABASE_URL: not a database URL"),
        # A port nothing listens on: refused at once, and the password is not printed.
        ("postgresql+asyncpg://bot:hunter2@127.0.0.1:9/bot", 2, "bot:***@127.0.0.1:9/bot"),
    ],
)
def test_a_database_url_that_cannot_work_is_refused_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    url: str,
    code: int,
    said: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == code
    error = capsys.readouterr().err
    assert error.startswith("Cannot start:"), error
    assert said in error
    assert "hunter2" not in error
