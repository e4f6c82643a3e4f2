"""/total: the region's subscriptions, progress and breakdowns."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n

from bot.config import Settings
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import MenuItem
from bot.handlers.common import on_command, reply_target
from bot.services.registry import RegistryService
from bot.services.totals import TotalsService
from bot.texts.totals import render_totals


async def total(
    event: Message | CallbackQuery,
    actor: Actor,
    totals: TotalsService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """/total and its menu button: the region's figures, with the chart buttons (a scoped
    coordinator's territory's too)."""
    locale = i18n.current_locale
    result = await totals.region(actor)
    territories = await registry.territories()
    own = None
    if result.own_territory is not None:
        own = await registry.territory(int(result.own_territory.key))
    await reply_target(event).answer(
        render_totals(result, territories, settings.region_name_in(locale), locale, i18n),
        reply_markup=keyboards.total_actions(own, locale),
    )


def build_router() -> Router:
    router = Router(name=__name__)
    on_command(router, total, "total", MenuItem.TOTAL)
    return router
