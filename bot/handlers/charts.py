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
from bot.services.charts import DEFAULT_PERIOD, PERIODS, ChartService
from bot.services.errors import TerritoryNotFound
from bot.services.registry import RegistryService
from bot.texts.charts import Series, chart_caption, chart_empty, draw


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
    """The growth chart of the region, a territory or a page over the period asked for
    (an unknown one: the default), with buttons for the other periods. Refuses whom the
    chart's subject refuses."""
    locale = i18n.current_locale
    days = callback_data.days if callback_data.days in PERIODS else DEFAULT_PERIOD
    match callback_data.scope:
        case ChartScope.PAGE:
            page = await registry.administered(actor, callback_data.subject)
            subject, points = page.title, await charts.page(page.id, days)
            milestone = charts.page_milestone(points[-1][1] if points else 0)
        case ChartScope.TERRITORY:
            await charts.ensure_registered(actor)
            territory = await registry.territory(callback_data.subject)
            if territory is None:
                raise TerritoryNotFound(str(callback_data.subject))
            subject, points = territory.name(locale), await charts.territory(territory.id, days)
            milestone = charts.territory_milestone(points[-1][1])
        case _:
            await charts.ensure_registered(actor)
            subject, points = settings.region_name_in(locale), await charts.region(days)
            milestone = charts.region_milestone(points[-1][1])
    target = reply_target(callback)
    if not points:
        await target.answer(chart_empty(subject, locale, i18n))
        return
    series = Series(subject, days, points, milestone)
    await bot.send_photo(
        chat_id=target.chat.id,
        photo=BufferedInputFile(await draw(series, locale, i18n), "chart.png"),
        caption=chart_caption(series, locale, i18n),
        reply_markup=keyboards.chart_periods(callback_data.scope, callback_data.subject, days),
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show_chart, ChartCb.filter())
    return router
