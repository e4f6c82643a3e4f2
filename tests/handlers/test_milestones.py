"""Milestone alerts (pages, territories, the region, its goal) and the /total forecast."""

from __future__ import annotations

from pathlib import Path

from bot.domain.localtime import DAY
from bot.storage.milestones import MilestoneScope
from tests.builders import PENZA
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import approve_all, page_id, register_page, stored_page
from tests.harness import BotHarness
from tests.users import ADMIN, ADMIN_EN, OTHER, SUPER

COORD = FakeUser(id=500, first_name="Анна", username="anna", language_code="ru")
# A coordinator of another territory (Penza), and someone who never registered a page.
COORD_PENZA = FakeUser(id=600, first_name="Мария", username="maria", language_code="ru")
STRANGER = FakeUser(id=700, first_name="Гость", username="guest", language_code="ru")


# ---------------------------------------------------------------- the pure functions


# ---------------------------------------------------------------- through the bot


def alerts(bot: BotHarness, user: FakeUser, *markers: str) -> list[str]:
    """The texts the user got that hold every marker."""
    texts = [message.text or "" for message in bot.fake.messages(user.id)]
    return [text for text in texts if all(marker in text for marker in markers)]


async def make_coordinator(bot: BotHarness, user: FakeUser, territory: str = "") -> None:
    await bot.send(user, "/start")
    await bot.send(SUPER, f"/grant @{user.username} {territory}".strip())


async def report(bot: BotHarness, user: FakeUser, page: int, *figures: int) -> None:
    """`user` reports `figures` of `page` in turn, none asking for a confirmation; the
    alerts they bring are delivered before this returns."""
    for figure in figures:
        [saved] = await bot.send(user, f"/report {page} {figure}")
        assert saved.reply_markup is None, f"asked for a confirmation: {saved.text}"
    await bot.drain()


async def test_a_page_crossing_1000_alerts_its_admins_and_coordinators_once(
    bot: BotHarness,
) -> None:
    page = await stored_page(bot, ADMIN, title="Дом <культуры>")
    await bot.send(OTHER, "/start")
    async with bot.db.write() as repos:  # a co-administrator
        await repos.pages.add_admin(page, OTHER.id, now=bot.clock.now())
    await make_coordinator(bot, COORD)
    await make_coordinator(bot, COORD_PENZA, "Пенза")

    await report(bot, ADMIN, page, 900)  # the first figure is a baseline
    for user in (ADMIN, OTHER, COORD, SUPER):
        assert alerts(bot, user, "🎉") == []

    await report(bot, ADMIN, page, 1_200)
    for user in (ADMIN, OTHER, COORD, SUPER):
        [alert] = alerts(bot, user, "🎉", "1\xa0000")
        assert "Дом <культуры>" in alert  # escaped on the way, shown as typed
    assert "город Кузнецк" in alerts(bot, COORD, "🎉")[0]
    assert alerts(bot, COORD_PENZA, "🎉") == []  # not their territory
    assert alerts(bot, STRANGER, "🎉") == []

    async with bot.db.read() as repos:
        assert await repos.milestones.reached(MilestoneScope.PAGE, page) == [1_000]


async def test_a_figure_hovering_around_a_threshold_alerts_once(bot: BotHarness) -> None:
    page = await stored_page(bot, ADMIN)
    await report(bot, ADMIN, page, 900, 1_100, 950, 1_050, 999, 1_000)
    assert len(alerts(bot, ADMIN, "🎉")) == 1
    assert len(alerts(bot, SUPER, "🎉")) == 1

    await report(bot, ADMIN, page, 5_500)
    assert len(alerts(bot, ADMIN, "🎉", "5\xa0000")) == 1
    assert len(alerts(bot, ADMIN, "🎉")) == 2


async def test_a_restart_does_not_alert_again(
    fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    first = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        page = await stored_page(first, ADMIN)
        await report(first, ADMIN, page, 900, 1_200)
    finally:
        await first.stop()
    assert len(alerts(first, ADMIN, "🎉")) == 1

    second = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        await report(second, ADMIN, page, 800, 1_300)
    finally:
        await second.stop()
    assert len(alerts(second, ADMIN, "🎉")) == 1
    assert len(alerts(second, SUPER, "🎉")) == 1


async def test_a_region_milestone_alerts_every_registered_user(bot: BotHarness) -> None:
    first = await stored_page(bot, ADMIN)
    second = await stored_page(bot, ADMIN_EN, link="t.me/penza_news", territory_id=PENZA)
    # Registered too: a page waiting for approval.
    await register_page(bot, OTHER, link="ok.ru/group/1")
    await make_coordinator(bot, COORD_PENZA, "Пенза")
    await bot.send(STRANGER, "/start")

    await report(bot, ADMIN, first, 49_000)
    assert alerts(bot, ADMIN, "🚀") == []

    await report(bot, ADMIN_EN, second, 2_000)  # the region: 49,000 → 51,000
    for user in (ADMIN, OTHER, SUPER, COORD_PENZA):
        [alert] = alerts(bot, user, "🚀", "50\xa0000")
        assert "Пензенская область" in alert
        assert "949\xa0000" in alert  # to go to the goal
    [english] = alerts(bot, ADMIN_EN, "🚀")
    assert "official pages have reached 50,000 subscriptions together (now 51,000)" in english
    assert "949,000 to go to 1,000,000" in english
    assert alerts(bot, STRANGER, "🚀") == []

    # The region stays at its milestone: a figure going down and up again is quiet.
    await report(bot, ADMIN, first, 47_000, 49_500)
    assert len(alerts(bot, ADMIN, "🚀")) == 1


async def test_a_territory_milestone_alerts_its_coordinators(bot: BotHarness) -> None:
    page = await stored_page(bot, ADMIN)
    await make_coordinator(bot, COORD, "Кузнецк")
    await make_coordinator(bot, COORD_PENZA, "Пенза")
    await report(bot, ADMIN, page, 45_000, 55_000)
    [alert] = alerts(bot, COORD, "🏅")
    assert "город Кузнецк" in alert
    assert "50\xa0000" in alert
    assert len(alerts(bot, SUPER, "🏅")) == 1
    assert alerts(bot, COORD_PENZA, "🏅") == []
    assert alerts(bot, ADMIN, "🏅") == []  # administrators hear of their page and the region


async def test_the_million_is_a_celebration_for_everyone(bot: BotHarness) -> None:
    first = await stored_page(bot, ADMIN)
    second = await stored_page(bot, ADMIN_EN, link="t.me/penza_news", territory_id=PENZA)
    await report(bot, ADMIN, first, 985_000)
    await report(bot, ADMIN_EN, second, 10_000)
    assert alerts(bot, ADMIN, "Пензенская область: 1\xa0000\xa0000") == []

    await report(bot, ADMIN_EN, second, 15_500)  # 995,000 → 1,000,500
    for user in (ADMIN, SUPER):
        [celebration] = alerts(bot, user, "Пензенская область: 1\xa0000\xa0000")
        assert "🎉" in celebration
        assert "учтено страниц: 2" in celebration
    [english] = alerts(bot, ADMIN_EN, "Penza region: 1,000,000 subscriptions!")
    assert "pages counted: 2" in english
    assert "Forward this message" in english
    # The goal replaces the ordinary region alert: the one before is of 950,000.
    [ordinary] = alerts(bot, ADMIN, "🚀")
    assert "950\xa0000" in ordinary

    await report(bot, ADMIN_EN, second, 14_000, 16_000)
    assert len(alerts(bot, ADMIN, "Пензенская область: 1\xa0000\xa0000")) == 1


async def test_approval_that_brings_the_region_across_a_threshold_alerts(bot: BotHarness) -> None:
    first = await stored_page(bot, ADMIN)
    await report(bot, ADMIN, first, 49_000)
    await register_page(bot, ADMIN_EN, link="t.me/penza_news", territory="Penza (city)")
    second = await page_id(bot, "t.me/penza_news")
    async with bot.db.write() as repos:  # a figure known before approval (an import)
        await repos.pages.set_current_figure(second, 2_000, now=bot.clock.now())
    await bot.drain()
    assert alerts(bot, ADMIN, "🚀") == []

    await approve_all(bot)
    for user in (ADMIN, ADMIN_EN, SUPER):
        assert len(alerts(bot, user, "🚀")) == 1
    assert "approved" in alerts(bot, ADMIN_EN, "approved")[0]


async def test_total_shows_the_forecast_of_the_next_milestone(
    bot: BotHarness, clock: FakeClock
) -> None:
    page = await stored_page(bot, ADMIN_EN)
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
