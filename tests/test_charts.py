"""Growth charts: the renderer, the series, the buttons, who may see which chart."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import aiosqlite
import pytest
from PIL import Image

from bot.config import Settings, load_settings
from bot.domain.catalog import PageStatus
from bot.domain.localtime import DAY
from bot.handlers.callbacks import ChartCb, ChartScope
from bot.services.charts import ChartService, amount, render_png
from bot.services.errors import NotRegistered
from bot.storage.database import Database
from tests.conftest import FakeClock
from tests.fakes.bot_api import FakeBotAPI, SentMessage, UploadedFile
from tests.harness import BotHarness
from tests.test_core_loop import (
    ADMIN,
    ADMIN_EN,
    OTHER,
    SUPER,
    approve_all,
    page_id,
    register_page,
    translator,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parent.parent


def settings() -> Settings:
    return load_settings(_env_file=None, bot_token="123:TEST")


def assert_png(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decodes every pixel: a truncated or corrupt file fails here
        assert image.format == "PNG"
        return image.size


# --------------------------------------------------------------------------- renderer


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("length", [0, 1, 2, 30, 365])
def test_the_renderer_draws_a_valid_png(length: int, locale: str) -> None:
    today = dt.date(2026, 9, 21)
    points = [
        (today - dt.timedelta(days=length - 1 - i), 600_000 + 1_000 * i) for i in range(length)
    ]
    png = render_png(points, title="Пензенская область", next_milestone=1_000_000, locale=locale)
    width, height = assert_png(png)
    assert width > 400
    assert height > 200


def test_the_renderer_survives_titles_its_font_cannot_draw() -> None:
    """Emoji would warn about missing glyphs and `$...$` would be parsed as maths."""
    png = render_png(
        [(dt.date(2026, 9, 21), 5)],
        title="🎉 Клуб $100$ \\frac{ «Дом» " + "очень длинное название " * 10,
        next_milestone=None,
        locale="ru",
    )
    assert_png(png)


def test_numbers_on_a_chart_follow_the_users_language() -> None:
    assert amount(987_000, "ru") == "987\xa0000"
    assert amount(987_000, "en") == "987,000"
    assert amount(1_234.6, "en") == "1,235"


def test_importing_the_bot_does_not_import_matplotlib() -> None:
    code = (
        "import sys, bot.app\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib')\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- series


async def approved_page(
    db: Database, *, territory_id: int, figure: int, now: int, link: str = "vk.com/club1"
) -> int:
    async with db.write() as repos:
        await repos.users.ensure(1, now=now)
        page = await repos.pages.create(
            link_key=link,
            url=f"https://{link}",
            platform="vk",
            title="Дом культуры",
            territory_id=territory_id,
            level="municipal",
            theme="culture",
            created_by=1,
            now=now,
        )
        await repos.pages.decide(
            page, status=PageStatus.APPROVED, reason=None, decided_by=1, now=now
        )
        await repos.pages.set_current_figure(page, figure, now=now)
    return page


async def add_daily(db: Database, day: dt.date, territory_id: int, subscribers: int) -> None:
    """A row as the nightly snapshot job writes it (written directly: its job is not ours)."""
    async with aiosqlite.connect(db.path) as conn:
        await conn.execute(
            "INSERT INTO daily_totals (day, territory_id, level, theme, platform, pages,"
            " subscribers) VALUES (?, ?, 'municipal', 'culture', 'vk', 1, ?)",
            (day.isoformat(), territory_id, subscribers),
        )
        await conn.commit()


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
                page_id=page, figure=figure, reported_by=None, update_id=None, now=moment
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
        await repos.reports.add(
            page_id=later, figure=10, reported_by=None, update_id=None, now=at(3)
        )
    assert await charts.page(later, 30) == [
        (today - dt.timedelta(days=d), 10) for d in range(3, -1, -1)
    ]


# --------------------------------------------------------------------------- handlers


def photo_bytes(message: SentMessage) -> bytes:
    uploads = [v for v in message.params.values() if isinstance(v, UploadedFile)]
    assert len(uploads) == 1, message.params
    return uploads[0].data


async def test_the_chart_button_under_total_sends_the_regions_chart(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    t = translator(bot, "ru")
    await register_page(bot, ADMIN)
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await bot.send(ADMIN, f"/report {page} 12 345")
    await bot.send(ADMIN, "/total")

    [chart] = await bot.click(ADMIN, t("📈 Chart"))
    assert chart.method == "sendPhoto"
    assert chart.media_kind == "photo"
    assert_png(photo_bytes(chart))
    assert "Пензенская область" in chart.content
    assert "12\xa0345" in chart.content
    assert "50\xa0000" in chart.content  # the next milestone
    periods = [
        bot.app.i18n.gettext("{days} day", "{days} days", days, locale="ru").format(days=days)
        for days in (30, 90, 365)
    ]
    assert chart.button_texts() == ["✅ " + periods[0], *periods[1:]]

    [year] = await bot.click(ADMIN, periods[2], chart)
    assert year.media_kind == "photo"
    assert "365" in year.content
    assert year.button_texts()[2] == "✅ " + periods[2]


async def test_a_page_card_has_a_chart_of_its_history(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await bot.send(ADMIN_EN, f"/report {page} 1000")
    clock.advance(3 * DAY)
    await bot.send(ADMIN_EN, f"/report {page} 1500")
    await bot.send(ADMIN_EN, "/mypages")

    [chart] = await bot.click(ADMIN_EN, "📈 Chart")
    assert_png(photo_bytes(chart))
    assert "Дом культуры" in chart.content
    assert "Now: 1,500 (+500 over the period)" in chart.content
    assert "Next milestone: 5,000" in chart.content


async def test_a_page_without_figures_gets_a_text_instead_of_a_chart(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    await approve_all(bot)
    await bot.send(ADMIN_EN, "/mypages")
    [answer] = await bot.click(ADMIN_EN, "📈 Chart")
    assert answer.text == "Дом культуры: no figures reported yet."


async def test_someone_elses_page_chart_is_refused(bot: BotHarness, fake: FakeBotAPI) -> None:
    await register_page(bot, ADMIN_EN, territory="Kuznetsk (city)")
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await bot.send(ADMIN_EN, f"/report {page} 1000")
    # OTHER is registered too (a page of their own), but not this page's administrator.
    await register_page(bot, OTHER, link="ok.ru/group/777", title="Школа")
    await approve_all(bot)

    before = len(fake.sent)
    forged = ChartCb(scope=ChartScope.PAGE, subject=page, days=30).pack()
    update = await bot.press(OTHER, fake.last_message(OTHER.id), forged)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.show_alert
    assert answer.text == translator(bot, "ru")("Sorry, your role does not allow this.")
    assert [m for m in fake.sent[before:] if m.media_kind == "photo"] == []


async def test_the_regions_chart_is_for_registered_users_only(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await bot.send(OTHER, "/start")
    forged = ChartCb(scope=ChartScope.REGION).pack()
    update = await bot.press(OTHER, fake.last_message(OTHER.id), forged)
    answer = fake.answer_for(update)
    assert answer is not None
    assert answer.text == translator(bot, "ru")(
        "This is for registered page administrators. Register your page with /register."
    )
    assert fake.last_message(OTHER.id).media_kind is None


async def test_a_scoped_coordinator_also_gets_their_territorys_chart(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    await register_page(bot, ADMIN, territory="город Кузнецк")
    await approve_all(bot)
    page = await page_id(bot, "vk.com/club123")
    await bot.send(ADMIN, f"/report {page} 12 345")
    await bot.send(OTHER, "/start")
    await bot.send(SUPER, "/grant @petr Кузнецк")

    [total] = await bot.send(OTHER, "/total")
    t = translator(bot, "ru")
    territory_button = t("📈 Chart: {territory}").format(territory="город Кузнецк")
    assert total.button_texts() == [t("📈 Chart"), territory_button]
    [chart] = await bot.click(OTHER, territory_button)
    assert_png(photo_bytes(chart))
    assert "город Кузнецк" in chart.content
    assert "12\xa0345" in chart.content

    # Region-wide users see the region's button only.
    [plain] = await bot.send(ADMIN, "/total")
    assert plain.button_texts() == [t("📈 Chart")]


async def test_registration_rule_matches_total(db: Database, clock: FakeClock) -> None:
    from bot.domain.roles import Actor, Role

    charts = ChartService(db, clock, settings())
    with pytest.raises(NotRegistered):
        await charts.ensure_registered(Actor(5, Role.USER))
    await charts.ensure_registered(Actor(6, Role.COORDINATOR, territory_id=2))
