"""The reminder leads setting, and how soon a reminder says the seminar starts."""

from __future__ import annotations

import pytest

from bot.config import LOCALES_DIR, SettingsError, load_settings
from bot.i18n import build_i18n, speaking
from bot.texts.seminar_followups import stars, time_left


def test_reminder_leads_are_minutes_listed_once_in_order() -> None:
    settings = load_settings(_env_file=None, seminar_reminder_leads="60, 1440,60")
    assert settings.seminar_reminder_leads == (60, 1_440)
    assert load_settings(_env_file=None).seminar_reminder_leads == (60, 1_440)
    with pytest.raises(SettingsError, match="SEMINAR_REMINDER_LEADS"):
        load_settings(_env_file=None, seminar_reminder_leads="60,0")


@pytest.mark.parametrize(
    ("seconds", "english", "russian"),
    [
        (86_400, "in 24 hours", "через 24 часа"),
        (86_400 - 50, "in 24 hours", "через 24 часа"),
        (3_600, "in 1 hour", "через 1 час"),
        (3_600 - 59, "in 1 hour", "через 1 час"),
        (2 * 3_600, "in 2 hours", "через 2 часа"),
        (30 * 60, "in 30 minutes", "через 30 минут"),
        (21 * 60, "in 21 minutes", "через 21 минуту"),
        (10, "in 1 minute", "через 1 минуту"),
    ],
)
def test_time_left(seconds: int, english: str, russian: str) -> None:
    i18n = build_i18n(LOCALES_DIR, "ru")
    with speaking(i18n, "en"):
        assert time_left(seconds) == english
    with speaking(i18n, "ru"):
        assert time_left(seconds) == russian


def test_stars() -> None:
    assert [stars(rating) for rating in (1, 5)] == ["★☆☆☆☆", "★★★★★"]
