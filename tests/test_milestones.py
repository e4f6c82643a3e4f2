"""Milestone alerts (pages, territories, the region, its goal) and the /total forecast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings
from bot.domain.localtime import DAY
from bot.domain.milestones import FORECAST_HORIZON_DAYS, Ladder, crossed, forecast
from bot.storage.milestones import MilestoneScope
from tests.conftest import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.harness import BotHarness
from tests.test_core_loop import ADMIN, ADMIN_EN, OTHER, SUPER, approve_all, page_id, register_page

COORD = FakeUser(id=500, first_name="Анна", username="anna", language_code="ru")
# A coordinator of another territory (Penza), and someone who never registered a page.
COORD_PENZA = FakeUser(id=600, first_name="Мария", username="maria", language_code="ru")
STRANGER = FakeUser(id=700, first_name="Гость", username="guest", language_code="ru")

PAGE_LADDER = Ladder.listed_then_every((1_000, 5_000, 10_000, 25_000, 50_000, 100_000), 100_000)


# ---------------------------------------------------------------- the pure functions


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


# ---------------------------------------------------------------- through the bot


def alerts(fake: FakeBotAPI, user: FakeUser, *markers: str) -> list[str]:
    """The texts the user got that hold every marker."""
    texts = [message.text or "" for message in fake.messages(user.id)]
    return [text for text in texts if all(marker in text for marker in markers)]


async def make_coordinator(bot: BotHarness, user: FakeUser, territory: str = "") -> None:
    await bot.send(user, "/start")
    await bot.send(SUPER, f"/grant @{user.username} {territory}".strip())


async def report(bot: BotHarness, user: FakeUser, page: int, figure: int) -> None:
    [saved] = await bot.send(user, f"/report {page} {figure}")
    assert saved.reply_markup is None, f"asked for a confirmation: {saved.text}"


async def test_a_page_crossing_1000_alerts_its_admins_and_coordinators_once(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN, title="Дом <культуры>")
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await bot.send(OTHER, "/start")
    async with bot.db.write() as repos:  # a co-administrator
        await repos.pages.add_admin(page, OTHER.id, now=bot.clock.now())
    await make_coordinator(bot, COORD)
    await make_coordinator(bot, COORD_PENZA, "Пенза")

    await report(bot, ADMIN, page, 900)  # the first figure is a baseline
    await bot.drain()
    for user in (ADMIN, OTHER, COORD, SUPER):
        assert alerts(fake, user, "🎉") == []

    await report(bot, ADMIN, page, 1_200)
    await bot.drain()
    for user in (ADMIN, OTHER, COORD, SUPER):
        [alert] = alerts(fake, user, "🎉", "1\xa0000")
        assert "Дом <культуры>" in alert  # escaped on the way, shown as typed
    assert "город Кузнецк" in alerts(fake, COORD, "🎉")[0]
    assert alerts(fake, COORD_PENZA, "🎉") == []  # not their territory
    assert alerts(fake, STRANGER, "🎉") == []

    async with bot.db.read() as repos:
        assert await repos.milestones.reached(MilestoneScope.PAGE, page) == [1_000]


async def test_a_figure_hovering_around_a_threshold_alerts_once(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN)
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    for figure in (900, 1_100, 950, 1_050, 999, 1_000):
        await report(bot, ADMIN, page, figure)
    await bot.drain()
    assert len(alerts(fake, ADMIN, "🎉")) == 1
    assert len(alerts(fake, SUPER, "🎉")) == 1

    await report(bot, ADMIN, page, 5_500)
    await bot.drain()
    assert len(alerts(fake, ADMIN, "🎉", "5\xa0000")) == 1
    assert len(alerts(fake, ADMIN, "🎉")) == 2


async def test_a_restart_does_not_alert_again(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    first = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        await register_page(first, ADMIN)
        await approve_all(first)
        page = await page_id(first, "vk.com/club123")
        await report(first, ADMIN, page, 900)
        await report(first, ADMIN, page, 1_200)
        await first.drain()
    finally:
        await first.stop()
    assert len(alerts(fake, ADMIN, "🎉")) == 1

    second = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        await report(second, ADMIN, page, 800)
        await report(second, ADMIN, page, 1_300)
        await second.drain()
    finally:
        await second.stop()
    assert len(alerts(fake, ADMIN, "🎉")) == 1
    assert len(alerts(fake, SUPER, "🎉")) == 1


async def test_a_region_milestone_alerts_every_registered_user(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN)
    await register_page(bot, ADMIN_EN, link="t.me/penza_news", territory="Penza (city)")
    await approve_all(bot)
    # Registered too: a page waiting for approval.
    await register_page(bot, OTHER, link="ok.ru/group/1")
    await make_coordinator(bot, COORD_PENZA, "Пенза")
    await bot.send(STRANGER, "/start")
    first = await page_id(bot, "vk.com/club123")
    second = await page_id(bot, "t.me/penza_news")

    await report(bot, ADMIN, first, 49_000)
    await bot.drain()
    assert alerts(fake, ADMIN, "🚀") == []

    await report(bot, ADMIN_EN, second, 2_000)  # the region: 49,000 → 51,000
    await bot.drain()
    for user in (ADMIN, OTHER, SUPER, COORD_PENZA):
        [alert] = alerts(fake, user, "🚀", "50\xa0000")
        assert "Пензенская область" in alert
        assert "949\xa0000" in alert  # to go to the goal
    [english] = alerts(fake, ADMIN_EN, "🚀")
    assert "official pages have reached 50,000 subscriptions together (now 51,000)" in english
    assert "949,000 to go to 1,000,000" in english
    assert alerts(fake, STRANGER, "🚀") == []

    # The region stays at its milestone: a figure going down and up again is quiet.
    await report(bot, ADMIN, first, 47_000)
    await report(bot, ADMIN, first, 49_500)
    await bot.drain()
    assert len(alerts(fake, ADMIN, "🚀")) == 1


async def test_a_territory_milestone_alerts_its_coordinators(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN)
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await make_coordinator(bot, COORD, "Кузнецк")
    await make_coordinator(bot, COORD_PENZA, "Пенза")
    await report(bot, ADMIN, page, 45_000)
    await report(bot, ADMIN, page, 55_000)
    await bot.drain()
    [alert] = alerts(fake, COORD, "🏅")
    assert "город Кузнецк" in alert
    assert "50\xa0000" in alert
    assert len(alerts(fake, SUPER, "🏅")) == 1
    assert alerts(fake, COORD_PENZA, "🏅") == []
    assert alerts(fake, ADMIN, "🏅") == []  # administrators hear of their page and the region


async def test_the_million_is_a_celebration_for_everyone(bot: BotHarness, fake: FakeBotAPI) -> None:
    await register_page(bot, ADMIN)
    await register_page(bot, ADMIN_EN, link="t.me/penza_news", territory="Penza (city)")
    await approve_all(bot)
    first = await page_id(bot, "vk.com/club123")
    second = await page_id(bot, "t.me/penza_news")
    await report(bot, ADMIN, first, 985_000)
    await report(bot, ADMIN_EN, second, 10_000)
    await bot.drain()
    assert alerts(fake, ADMIN, "Пензенская область: 1\xa0000\xa0000") == []

    await report(bot, ADMIN_EN, second, 15_500)  # 995,000 → 1,000,500
    await bot.drain()
    for user in (ADMIN, SUPER):
        [celebration] = alerts(fake, user, "Пензенская область: 1\xa0000\xa0000")
        assert "🎉" in celebration
        assert "2" in celebration  # pages counted
    [english] = alerts(fake, ADMIN_EN, "Penza region: 1,000,000 subscriptions!")
    assert "pages counted: 2" in english
    assert "Forward this message" in english
    # The goal replaces the ordinary region alert: the one before is of 950,000.
    [ordinary] = alerts(fake, ADMIN, "🚀")
    assert "950\xa0000" in ordinary

    await report(bot, ADMIN_EN, second, 14_000)
    await report(bot, ADMIN_EN, second, 16_000)
    await bot.drain()
    assert len(alerts(fake, ADMIN, "Пензенская область: 1\xa0000\xa0000")) == 1


async def test_approval_that_brings_the_region_across_a_threshold_alerts(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN)
    await approve_all(bot)
    first = await page_id(bot, "vk.com/club123")
    await report(bot, ADMIN, first, 49_000)
    await register_page(bot, ADMIN_EN, link="t.me/penza_news", territory="Penza (city)")
    second = await page_id(bot, "t.me/penza_news")
    async with bot.db.write() as repos:  # a figure known before approval (an import)
        await repos.pages.set_current_figure(second, 2_000, now=bot.clock.now())
    await bot.drain()
    assert alerts(fake, ADMIN, "🚀") == []

    await approve_all(bot)
    for user in (ADMIN, ADMIN_EN, SUPER):
        assert len(alerts(fake, user, "🚀")) == 1
    assert "approved" in alerts(fake, ADMIN_EN, "approved")[0]


async def test_total_shows_the_forecast_of_the_next_milestone(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await report(bot, ADMIN_EN, page, 10_000)
    clock.advance(20 * DAY)  # 2026-10-11
    await report(bot, ADMIN_EN, page, 40_000)
    # +40,000 over the last 30 days: 10,000 to go to 50,000 takes ceil(7.5) = 8 days.
    [total] = await bot.send(ADMIN_EN, "/total")
    assert "At the pace of the last 30 days, 50,000 will be reached around October 19, 2026." in (
        total.text or ""
    )

    clock.advance(31 * DAY)
    [flat] = await bot.send(ADMIN_EN, "/total")
    assert "No forecast for 50,000: the total has not grown over the last 30 days." in (
        flat.text or ""
    )


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
