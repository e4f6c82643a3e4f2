"""Chart series read from a real database: daily totals, page series, who may see them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

import pytest

from bot.config import Settings, load_settings
from bot.domain.localtime import DAY
from bot.domain.milestones import Ladders
from bot.domain.roles import Actor, Role
from bot.services.charts import ChartService
from bot.services.errors import NotRegistered
from bot.services.totals import TotalsService
from bot.storage.database import Database
from tests.builders import add_page, execute
from tests.clock import FakeClock


async def test_region_and_territory_series_are_daily_totals_then_the_live_figure(
    db: Database, clock: FakeClock
) -> None:
    charts = ChartService(db, clock, settings())
    today = charts.today()
    await approved_page(db, territory_id=2, figure=700, now=clock.now())
    await approved_page(db, territory_id=3, figure=300, now=clock.now(), link="vk.com/club2")

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    await add_daily(db, ago(40), 2, 1)  # before the window
    await add_daily(db, ago(29), 2, 100)  # the window's first day
    await add_daily(db, ago(10), 2, 400)
    await add_daily(db, ago(10), 3, 200)  # summed over the segments of a day
    await add_daily(db, today, 2, 5)  # today's value is the live one, whatever is stored

    assert await charts.region(30) == [(ago(29), 100), (ago(10), 600), (today, 1000)]
    assert await charts.territory(2, 30) == [(ago(29), 100), (ago(10), 400), (today, 700)]
    assert await charts.territory(3, 30) == [(ago(10), 200), (today, 300)]
    assert (await charts.region(90))[0] == (ago(40), 1)
    with pytest.raises(ValueError, match="days"):
        await charts.region(7)


async def test_a_fresh_database_has_only_todays_point(db: Database, clock: FakeClock) -> None:
    charts = ChartService(db, clock, settings())
    assert await charts.region(365) == [(charts.today(), 0)]
    assert await charts.territory(2, 30) == [(charts.today(), 0)]


async def test_a_page_series_takes_each_days_last_report_and_carries_it_forward(
    db: Database, clock: FakeClock
) -> None:
    config = settings()
    charts = ChartService(db, clock, config)
    page = await approved_page(db, territory_id=2, figure=0, now=clock.now() - 100 * DAY)
    today = charts.today()
    noon = dt.datetime.combine(today, dt.time(12), config.tz)

    def at(days_ago: int, hour: int = 12) -> int:
        return int((noon - dt.timedelta(days=days_ago) + dt.timedelta(hours=hour - 12)).timestamp())

    async with db.write() as repos:
        for moment, figure in [
            (at(45), 50),  # before the window: carried into its first day
            (at(40), 80),
            (at(20, 9), 100),
            (at(20, 18), 120),  # the day's last report wins
            (at(5), 150),
        ]:
            await repos.reports.add(
                page_id=page, figure=figure, reported_by=1, update_id=None, now=moment
            )

    points = await charts.page(page, 30)
    assert len(points) == 30
    values = dict(points)
    assert values[today - dt.timedelta(days=29)] == 80
    assert values[today - dt.timedelta(days=21)] == 80
    assert values[today - dt.timedelta(days=20)] == 120
    assert values[today - dt.timedelta(days=6)] == 120
    assert values[today - dt.timedelta(days=5)] == 150
    assert points[-1] == (today, 150)

    later = await approved_page(db, territory_id=2, figure=0, now=clock.now(), link="vk.com/c3")
    assert await charts.page(later, 30) == []
    async with db.write() as repos:
        await repos.reports.add(page_id=later, figure=10, reported_by=1, update_id=None, now=at(3))
    assert await charts.page(later, 30) == [
        (today - dt.timedelta(days=d), 10) for d in range(3, -1, -1)
    ]


async def test_registration_rule_matches_total(db: Database, clock: FakeClock) -> None:
    """Charts and /total answer "is this user registered?" alike, for every kind of user."""
    config = settings()
    charts = ChartService(db, clock, config)
    totals = TotalsService(db, clock, ladder=Ladders.from_settings(config).region, tz=config.tz)
    await approved_page(db, territory_id=2, figure=700, now=clock.now())  # administered by 1
    stranger = Actor(5, Role.USER)
    with pytest.raises(NotRegistered):
        await charts.ensure_registered(stranger)
    await charts.ensure_registered(Actor(6, Role.COORDINATOR, territory_id=2))

    async def registered(check: Callable[[Actor], Awaitable[object]], actor: Actor) -> bool:
        try:
            await check(actor)
        except NotRegistered:
            return False
        return True

    actors = [
        stranger,
        Actor(1, Role.USER),  # the page's administrator
        Actor(6, Role.COORDINATOR, territory_id=2),
        Actor(7, Role.COORDINATOR, territory_id=None),
        Actor(100, Role.SUPERADMIN),
    ]
    by_charts = [await registered(charts.ensure_registered, actor) for actor in actors]
    by_totals = [await registered(totals.region, actor) for actor in actors]
    assert by_charts == [False, True, True, True, True]
    assert by_totals == by_charts


async def approved_page(
    db: Database, *, territory_id: int, figure: int, now: int, link: str = "vk.com/club1"
) -> int:
    async with db.write() as repos:
        await repos.users.ensure(1, now=now)
        return await add_page(
            repos,
            link,
            created_by=1,
            territory_id=territory_id,
            title="Дом культуры",
            now=now,
            figure=figure,
        )


async def add_daily(db: Database, day: dt.date, territory_id: int, subscribers: int) -> None:
    """A row as the nightly snapshot job writes it (written directly: its job is not ours)."""
    await execute(
        db,
        "INSERT INTO daily_totals (day, territory_id, level, theme, platform, pages,"
        " subscribers) VALUES (:day, :territory_id, 'municipal', 'culture', 'vk', 1, :subscribers)",
        {"day": day.isoformat(), "territory_id": territory_id, "subscribers": subscribers},
    )


def settings() -> Settings:
    return load_settings(_env_file=None, bot_token="123:TEST")
