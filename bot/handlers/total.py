"""/total: the region's subscriptions, progress and breakdowns."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.domain.messages import MESSAGE_LIMIT
from bot.domain.roles import Actor
from bot.handlers import keyboards
from bot.handlers.callbacks import MenuCb, MenuItem
from bot.handlers.common import reply_target
from bot.handlers.milestones import forecast_text
from bot.handlers.texts import (
    LEVEL_LABELS,
    PLATFORM_LABELS,
    THEME_LABELS,
    label,
    number,
    signed,
    territory_name,
)
from bot.services.registry import RegistryService
from bot.services.totals import RegionTotals, Share, TotalsService
from bot.storage.records import Territory

TOP_ENTRIES = 10


def _breakdown(
    heading: str, shares: list[Share], name: Callable[[str], str], locale: str, top: int
) -> str:
    lines = [f"<b>{heading}</b>"]
    for share in shares[:top]:
        lines.append(
            _("{name}: {subscribers} ({pages} p.)").format(
                name=escape(name(share.key)),
                subscribers=number(share.subscribers, locale),
                pages=number(share.pages, locale),
            )
        )
    rest = shares[top:]
    if rest:
        lines.append(
            _("{count} more: {subscribers} ({pages} p.)").format(
                count=len(rest),
                subscribers=number(sum(share.subscribers for share in rest), locale),
                pages=number(sum(share.pages for share in rest), locale),
            )
        )
    return "\n".join(lines)


def render_totals(
    totals: RegionTotals,
    territories: list[Territory],
    region_name: str,
    locale: str,
    top: int = TOP_ENTRIES,
) -> str:
    """The /total message; breakdowns shrink to their top entries until it fits."""
    head = [
        _("📊 <b>{region}</b>").format(region=escape(region_name)),
        _("Subscriptions to official pages: <b>{total}</b>").format(
            total=number(totals.subscribers, locale)
        ),
        _("Approved pages: {pages}").format(pages=number(totals.pages, locale)),
        _("Change over 7 days: {week}; over 30 days: {month}").format(
            week=signed(totals.change_7d, locale), month=signed(totals.change_30d, locale)
        ),
        _("{left} to go to {milestone}").format(
            left=number(totals.next_milestone - totals.subscribers, locale),
            milestone=number(totals.next_milestone, locale),
        ),
        *(
            [forecast_text(totals.forecast, totals.next_milestone, locale)]
            if totals.forecast is not None
            else []
        ),
        _("(one person may follow several pages, so these are subscriptions, not people)"),
    ]
    own: list[str] = []
    if totals.own_territory is not None:
        own = [
            "",
            _("<b>Your territory: {name}</b>").format(
                name=escape(territory_name(territories, int(totals.own_territory.key), locale))
            ),
            _("Subscriptions: {total} on {pages} pages").format(
                total=number(totals.own_territory.subscribers, locale),
                pages=number(totals.own_territory.pages, locale),
            ),
            _("Change over 7 days: {week}; over 30 days: {month}").format(
                week=signed(totals.own_change_7d, locale),
                month=signed(totals.own_change_30d, locale),
            ),
        ]

    def territory(key: str) -> str:
        return territory_name(territories, int(key), locale)

    while True:
        sections = [
            _breakdown(_("By territory"), totals.by_territory, territory, locale, top),
            _breakdown(
                _("By level"), totals.by_level, lambda k: label(LEVEL_LABELS, k), locale, top
            ),
            _breakdown(
                _("By theme"), totals.by_theme, lambda k: label(THEME_LABELS, k), locale, top
            ),
            _breakdown(
                _("By platform"),
                totals.by_platform,
                lambda k: label(PLATFORM_LABELS, k),
                locale,
                top,
            ),
        ]
        text = "\n".join(head + own) + "\n\n" + "\n\n".join(sections)
        if len(text) <= MESSAGE_LIMIT or top <= 1:
            return text
        top -= 1


async def show_total(
    target: Message | InaccessibleMessage,
    actor: Actor,
    totals: TotalsService,
    registry: RegistryService,
    settings: Settings,
    locale: str,
) -> None:
    result = await totals.region(actor)
    territories = await registry.territories()
    own = None
    if result.own_territory is not None:
        own = await registry.territory(int(result.own_territory.key))
    await target.answer(
        render_totals(result, territories, settings.region_name, locale),
        reply_markup=keyboards.total_actions(own, locale),
    )


async def total(
    event: Message | CallbackQuery,
    actor: Actor,
    totals: TotalsService,
    registry: RegistryService,
    settings: Settings,
    i18n: I18n,
) -> None:
    await show_total(reply_target(event), actor, totals, registry, settings, i18n.current_locale)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(total, Command("total"))
    router.callback_query.register(total, MenuCb.filter(F.item == MenuItem.TOTAL))
    return router
