"""Settings refusals, territory lookup, and the size of the /total message."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n

from bot.__main__ import main
from bot.config import LOCALES_DIR, PACKAGE_DIR, SettingsError, load_settings
from bot.domain.messages import MESSAGE_LIMIT
from bot.services.errors import TerritoryNotFound
from bot.services.totals import RegionTotals
from bot.services.users import _match_territory
from bot.storage.records import Breakdown, Territory
from bot.storage.seed import read_territories
from bot.texts.totals import render_totals

TOKEN = "123456:ABCdef-secret"


def test_a_missing_token_names_the_setting_and_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    settings = load_settings(_env_file=None)  # backup, restore, migrate need no token
    with pytest.raises(SettingsError) as error:
        settings.require_token()
    assert "BOT_TOKEN" in str(error.value)
    assert ".env" in str(error.value)


@pytest.mark.parametrize(
    ("overrides", "name"),
    [
        ({"bot_token": "not-a-token"}, "BOT_TOKEN"),
        ({"bot_token": TOKEN, "timezone": "Mars/Olympus"}, "TIMEZONE"),
        ({"bot_token": TOKEN, "default_locale": "de"}, "DEFAULT_LOCALE"),
        ({"bot_token": TOKEN, "superadmin_ids": "12,abc"}, "SUPERADMIN_IDS"),
        ({"bot_token": TOKEN, "telegram_api_url": "not a url"}, "TELEGRAM_API_URL"),
    ],
)
def test_a_malformed_setting_is_named_without_echoing_it(
    overrides: dict[str, str], name: str
) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, **overrides)
    message = str(error.value)
    assert message.startswith(name)
    assert "secret" not in message
    assert "\n" not in message


def test_settings_parse_lists_and_keep_the_token_secret() -> None:
    settings = load_settings(_env_file=None, bot_token=TOKEN, superadmin_ids="1, 2;3")
    assert settings.superadmin_ids == frozenset({1, 2, 3})
    assert settings.bot_id == 123456
    assert "secret" not in repr(settings)
    assert "secret" not in str(settings.model_dump())


TERRITORIES = [
    Territory(i + 1, code, kind, ru, en, i)
    for i, (code, kind, ru, en, _) in enumerate(
        read_territories(PACKAGE_DIR / "data" / "territories_penza.csv")
    )
]


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("Пенза", "penza"),
        ("пензенский", "penzensky"),
        ("Кузнецк", "kuznetsk"),
        ("kuznetsk", "kuznetsk"),
        ("Zarechny", "zarechny"),
        ("Пензенский район", "penzensky"),
        ("4", "kuznetsk"),
    ],
)
def test_territories_are_found_by_name_code_or_id(reference: str, code: str) -> None:
    assert _match_territory(TERRITORIES, reference).code == code


@pytest.mark.parametrize("reference", ["район", "Москва", "Пенз"])
def test_ambiguous_or_unknown_territories_are_refused(reference: str) -> None:
    with pytest.raises(TerritoryNotFound):
        _match_territory(TERRITORIES, reference)


def test_the_territories_file_has_27_districts_and_3_urban_districts() -> None:
    kinds = [territory.kind for territory in TERRITORIES]
    assert kinds.count("municipal_district") == 27
    assert kinds.count("urban_district") == 3


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_total_for_2000_territories_fits_one_message(locale: str) -> None:
    territories = [
        Territory(i, f"t{i}", "settlement", "Сельское поселение " + "Ж" * 60, "Rural " * 12, i)
        for i in range(1, 2001)
    ]
    shares = [Breakdown("territory", str(t.id), 3, 1000 + t.id) for t in territories]
    totals = RegionTotals(
        subscribers=sum(s.subscribers for s in shares),
        pages=6000,
        change_7d=-5,
        change_30d=1200,
        next_milestone=5_000_000,
        by_territory=shares,
        by_level=[Breakdown("level", "regional", 6000, 1)],
        by_theme=[Breakdown("theme", "culture", 6000, 1)],
        by_platform=[Breakdown("platform", "vk", 6000, 1)],
        own_territory=shares[5],
    )
    i18n = I18n(path=LOCALES_DIR, default_locale="ru", domain="messages")
    # No language context around it: the text speaks the locale it is given.
    text = render_totals(totals, territories, "Регион", locale, i18n)
    assert len(text) <= MESSAGE_LIMIT
    assert text.count("\n") > 20


@pytest.mark.parametrize("url", ["postgres ql://bot:hunter2@db/bot", "mysql://bot:hunter2@db/bot"])
def test_a_bad_database_url_is_refused_without_echoing_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, url: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("Cannot start: DATABASE_URL: "), error
    assert "hunter2" not in error


def test_an_unreachable_postgresql_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    # Port 1 of this machine: nothing listens there, so the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter2@127.0.0.1:1/bot")
    assert main(["migrate"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("Cannot start: cannot connect to postgresql+asyncpg://bot:***@"), error
    assert "hunter2" not in error
