"""Growth charts: the region's and a territory's under /total, a page's under its card."""

from __future__ import annotations

import asyncio
from html import escape

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import ChartCb, ChartScope
from bot.handlers.common import reply_target
from bot.handlers.texts import number, signed
from bot.i18n import locale_of
from bot.services.charts import DEFAULT_PERIOD, PERIODS, ChartService, Point, render_png
from bot.services.digests import DigestPhoto
from bot.services.errors import TerritoryNotFound
from bot.services.registry import RegistryService
from bot.storage.records import Territory, User

# A caption holds 1,024 characters: a long title (escaped, it may grow fivefold) is cut.
CAPTION_SUBJECT_LIMIT = 100


def chart_caption(
    subject: str, days: int, points: list[Point], milestone: int | None, locale: str
) -> str:
    """The photo's caption: what, over which period, the figure now, the next milestone."""
    if len(subject) > CAPTION_SUBJECT_LIMIT:
        subject = subject[: CAPTION_SUBJECT_LIMIT - 1] + "…"
    lines = [
        _("📈 <b>{subject}</b>, the last {days} days").format(subject=escape(subject), days=days),
        _("Now: {value} ({change} over the period)").format(
            value=number(points[-1][1], locale),
            change=signed(points[-1][1] - points[0][1], locale),
        ),
    ]
    if milestone is not None:
        lines.append(_("Next milestone: {milestone}").format(milestone=number(milestone, locale)))
    return "\n".join(lines)


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
    return settings.region_name, points, charts.region_milestone(points[-1][1])


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
        await target.answer(
            _("<b>{title}</b>: no figures reported yet.").format(title=escape(subject))
        )
        return
    png = await draw(subject, days, points, milestone, locale)
    await bot.send_photo(
        chat_id=target.chat.id,
        photo=BufferedInputFile(png, "chart.png"),
        caption=chart_caption(subject, days, points, milestone, locale),
        reply_markup=keyboards.chart_periods(callback_data.scope, callback_data.subject, days),
    )


async def draw(
    subject: str, days: int, points: list[Point], milestone: int | None, locale: str
) -> bytes:
    """The chart's PNG, titled in the current locale."""
    period = _("{days} days").format(days=days)
    # Drawing takes a CPU for a moment: other users' updates go on meanwhile.
    return await asyncio.to_thread(
        render_png, points, title=f"{subject} · {period}", next_milestone=milestone, locale=locale
    )


class DigestCharts:
    """The chart after a coordinator's weekly digest: the region's, or a scoped
    coordinator's territory's, over the last DEFAULT_PERIOD days, with the buttons that
    redraw it over another period."""

    def __init__(self, charts: ChartService, i18n: I18n, settings: Settings) -> None:
        self._charts = charts
        self._i18n = i18n
        self._region_name = settings.region_name

    def locale(self, user: User) -> str:
        return locale_of(user, self._i18n)

    async def draw(self, territory: Territory | None, locale: str) -> DigestPhoto:
        days = DEFAULT_PERIOD
        if territory is None:
            scope, subject_id, subject = ChartScope.REGION, 0, self._region_name
            points = await self._charts.region(days)
            milestone = self._charts.region_milestone(points[-1][1])
        else:
            scope, subject_id, subject = ChartScope.TERRITORY, territory.id, territory.name(locale)
            points = await self._charts.territory(territory.id, days)
            milestone = self._charts.territory_milestone(points[-1][1])
        with self._i18n.context(), self._i18n.use_locale(locale):
            png = await draw(subject, days, points, milestone, locale)
            return DigestPhoto(
                png=png,
                caption=chart_caption(subject, days, points, milestone, locale),
                reply_markup=keyboards.chart_periods(scope, subject_id, days).model_dump(
                    mode="json", exclude_none=True
                ),
            )


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show_chart, ChartCb.filter())
    return router
