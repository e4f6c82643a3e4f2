"""Growth charts: the region's and a territory's under /total, a page's under its card."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import ChartCb, ChartScope
from bot.handlers.common import reply_target
from bot.services.charts import DEFAULT_PERIOD, PERIODS, ChartService, Point
from bot.services.errors import TerritoryNotFound
from bot.services.registry import RegistryService
from bot.texts.charts import chart_caption, chart_empty, draw


async def _series(
    callback_data: ChartCb,
    days: int,
    actor: Actor,
    charts: ChartService,
    registry: RegistryService,
    settings: Settings,
    locale: str,
) -> tuple[str, list[Point], int | None]:
    """The chart's subject, its series and its next milestone; refuses whom it must."""
    match callback_data.scope:
        case ChartScope.PAGE:
            page = await registry.administered(actor, callback_data.subject)
            points = await charts.page(page.id, days)
            return page.title, points, charts.page_milestone(points[-1][1] if points else 0)
        case ChartScope.TERRITORY:
            await charts.ensure_registered(actor)
            territory = await registry.territory(callback_data.subject)
            if territory is None:
                raise TerritoryNotFound(str(callback_data.subject))
            points = await charts.territory(territory.id, days)
            return territory.name(locale), points, charts.territory_milestone(points[-1][1])
    await charts.ensure_registered(actor)
    points = await charts.region(days)
    return settings.region_name_in(locale), points, charts.region_milestone(points[-1][1])


async def show_chart(
    callback: CallbackQuery,
    callback_data: ChartCb,
    actor: Actor,
    charts: ChartService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
    bot: Bot,
) -> None:
    locale = i18n.current_locale
    days = callback_data.days if callback_data.days in PERIODS else DEFAULT_PERIOD
    subject, points, milestone = await _series(
        callback_data, days, actor, charts, registry, settings, locale
    )
    target = reply_target(callback)
    if not points:
        await target.answer(chart_empty(subject, locale, i18n))
        return
    png = await draw(subject, days, points, milestone, locale, i18n)
    await bot.send_photo(
        chat_id=target.chat.id,
        photo=BufferedInputFile(png, "chart.png"),
        caption=chart_caption(subject, days, points, milestone, locale, i18n),
        reply_markup=keyboards.chart_periods(callback_data.scope, callback_data.subject, days),
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show_chart, ChartCb.filter())
    return router
