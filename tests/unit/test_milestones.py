"""Milestone ladders, crossing thresholds and the forecast of the next milestone."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.config import SettingsError, load_settings
from bot.domain.milestones import FORECAST_HORIZON_DAYS, Ladder, crossed, forecast

PAGE_LADDER = Ladder.listed_then_every((1_000, 5_000, 10_000, 25_000, 50_000, 100_000), 100_000)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (900, 1_200, [1_000]),
        (999, 1_000, [1_000]),  # reaching the threshold counts
        (1_000, 1_200, []),  # it was reached before
        (0, 250_000, [1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 200_000]),
        (180_000, 420_000, [200_000, 300_000, 400_000]),
        (1_200, 900, []),  # down: nothing
        (5_000, 5_000, []),
    ],
)
def test_page_thresholds_crossed_upward(old: int, new: int, expected: list[int]) -> None:
    assert crossed(PAGE_LADDER, old, new) == expected


def test_region_ladder_holds_every_step_and_the_goal() -> None:
    assert crossed(Ladder.every(50_000, goal=1_000_000), 940_000, 1_060_000) == [
        950_000,
        1_000_000,
        1_050_000,
    ]
    # A goal that is not a multiple of the step is a threshold of its own.
    assert crossed(Ladder.every(30_000, goal=1_000_000), 990_000, 1_025_000) == [
        1_000_000,
        1_020_000,
    ]


def test_a_huge_jump_names_only_the_highest_thresholds() -> None:
    assert crossed(PAGE_LADDER, 0, 1_000_000_000, limit=3) == [
        999_800_000,
        999_900_000,
        1_000_000_000,
    ]
    assert crossed(PAGE_LADDER, 0, 7_000, limit=1) == [5_000]


def test_forecast_on_a_synthetic_trend() -> None:
    today = dt.date(2026, 9, 21)
    # +30,000 over 30 days is 1,000 a day: 13,000 to go takes 13 days.
    assert forecast(today, left=13_000, change=30_000).date == dt.date(2026, 10, 4)
    # +3 over 30 days is 0.1 a day: 10 to go takes 100 days, rounded up from any fraction.
    assert forecast(today, left=10, change=3).date == today + dt.timedelta(days=100)
    assert forecast(today, left=10, change=4).days == 75
    assert forecast(today, left=11, change=4).days == 83  # 82.5 → 83
    assert forecast(today, left=700, change=100, period_days=7).date == dt.date(2026, 11, 9)


@pytest.mark.parametrize("change", [0, -5_000])
def test_no_forecast_when_the_trend_is_flat_or_falling(change: int) -> None:
    result = forecast(dt.date(2026, 9, 21), left=13_000, change=change)
    assert result.date is None
    assert not result.growing


def test_a_forecast_beyond_the_horizon_has_no_date() -> None:
    result = forecast(dt.date(2026, 9, 21), left=1_000_000, change=1)
    assert result.date is None
    assert result.growing
    assert result.days is not None
    assert result.days > FORECAST_HORIZON_DAYS


def test_page_milestones_are_read_like_superadmin_ids() -> None:
    token = "123456:ABCdef"
    settings = load_settings(_env_file=None, bot_token=token, page_milestones="5000, 1000;1000")
    assert settings.page_milestones == (1_000, 5_000)
    defaults = load_settings(_env_file=None, bot_token=token)
    assert defaults.page_milestones == (1_000, 5_000, 10_000, 25_000, 50_000, 100_000)
    assert defaults.page_milestone_step == 100_000
    assert defaults.territory_milestone_step == 50_000
    for bad in ("1000,abc", "0,1000"):
        with pytest.raises(SettingsError, match=r"^PAGE_MILESTONES"):
            load_settings(_env_file=None, bot_token=token, page_milestones=bad)
