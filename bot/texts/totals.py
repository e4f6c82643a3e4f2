"""/total's message: the region's subscriptions, progress and breakdowns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.domain.messages import MESSAGE_LIMIT
from bot.i18n import speaking
from bot.services.totals import RegionTotals
from bot.storage.records import Breakdown, Territory
from bot.texts.formats import number, share, signed, territory_name
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, THEME_LABELS, label
from bot.texts.milestones import forecast_text

#: Entries of each breakdown shown at most; the rest are summed on one line.
TOP_ENTRIES = 10


def _breakdown(
    heading: str,
    shares: list[Breakdown],
    name: Callable[[str], str],
    locale: str,
    top: int,
    verified: Mapping[str, int] | None = None,
) -> str:
    """A breakdown's lines; with `verified` (subscribers verified per key), each entry
    says its verified share."""
    lines = [f"<b>{heading}</b>"]
    for item in shares[:top]:
        values = {
            "name": escape(name(item.key)),
            "subscribers": number(item.subscribers, locale),
            "pages": number(item.pages, locale),
        }
        if verified is None:
            # TRANSLATORS: one line of a breakdown; "p." abbreviates "pages".
            line = _("{name}: {subscribers} ({pages} p.)").format(**values)
        else:
            # TRANSLATORS: a breakdown's line with the share verified on the platforms.
            line = _("{name}: {subscribers} ({pages} p., {share} verified)").format(
                share=share(verified.get(item.key, 0), item.subscribers, locale), **values
            )
        lines.append(line)
    rest = shares[top:]
    if rest:
        lines.append(
            # TRANSLATORS: the breakdown's entries beyond the top ones, summed: "12 more: …".
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
    i18n: I18n,
    top: int = TOP_ENTRIES,
) -> str:
    """The /total message in `locale` (HTML; `region_name` is escaped here). Breakdowns
    shrink to their `top` entries, then fewer, until the text fits one message."""
    with speaking(i18n, locale):
        lines = _head(totals, region_name, locale, i18n) + _own(totals, territories, locale)
        while True:
            sections = _breakdowns(totals, territories, locale, top)
            text = "\n".join(lines) + "\n\n" + "\n\n".join(sections)
            if len(text) <= MESSAGE_LIMIT or top <= 1:
                return text
            top -= 1


def _head(totals: RegionTotals, region_name: str, locale: str, i18n: I18n) -> list[str]:
    """The region's figures: total, pages, change, the next milestone and its forecast."""
    return [
        _("📊 <b>{region}</b>").format(region=escape(region_name)),
        _("Subscriptions to official pages: <b>{total}</b>").format(
            total=number(totals.subscribers, locale)
        ),
        _("Verified on the platforms in the last 7 days: {share} ({verified})").format(
            share=share(totals.verified, totals.subscribers, locale),
            verified=number(totals.verified, locale),
        ),
        _("Approved pages: {pages}").format(pages=number(totals.pages, locale)),
        # The region's orphaned pages; a scoped coordinator's come with their territory.
        *(_orphaned(totals, locale) if totals.own_territory is None else []),
        _("Change over 7 days: {week}; over 30 days: {month}").format(
            week=signed(totals.change_7d, locale), month=signed(totals.change_30d, locale)
        ),
        _("{left} to go to {milestone}").format(
            left=number(totals.next_milestone - totals.subscribers, locale),
            milestone=number(totals.next_milestone, locale),
        ),
        *(
            [forecast_text(totals.forecast, totals.next_milestone, locale, i18n)]
            if totals.forecast is not None
            else []
        ),
        _("(one person may follow several pages, so these are subscriptions, not people)"),
    ]


def _own(totals: RegionTotals, territories: list[Territory], locale: str) -> list[str]:
    """A scoped coordinator's territory's figures, after a blank line; none for others."""
    if totals.own_territory is None:
        return []
    return [
        "",
        _("<b>Your territory: {name}</b>").format(
            name=escape(territory_name(territories, int(totals.own_territory.key), locale))
        ),
        ngettext(
            "Subscriptions: {total} on {pages} page",
            "Subscriptions: {total} on {pages} pages",
            totals.own_territory.pages,
        ).format(
            total=number(totals.own_territory.subscribers, locale),
            pages=number(totals.own_territory.pages, locale),
        ),
        _("Change over 7 days: {week}; over 30 days: {month}").format(
            week=signed(totals.own_change_7d, locale),
            month=signed(totals.own_change_30d, locale),
        ),
        *_orphaned(totals, locale),
    ]


def _orphaned(totals: RegionTotals, locale: str) -> list[str]:
    """How many orphaned and unclaimed pages a coordinator oversees (bot.domain.claims);
    none for others."""
    if totals.orphaned is None or totals.unclaimed is None:
        return []
    return [
        _("Left without an administrator: {count} (see /pending)").format(
            count=number(totals.orphaned, locale)
        ),
        _("Not claimed yet: {count}").format(count=number(totals.unclaimed, locale)),
        *(
            [
                _("Figures to check: {count} (see /pending)").format(
                    count=number(totals.flagged, locale)
                )
            ]
            if totals.flagged
            else []
        ),
    ]


def _breakdowns(
    totals: RegionTotals, territories: list[Territory], locale: str, top: int
) -> list[str]:
    """The four breakdowns, each cut to its `top` entries."""

    def territory(key: str) -> str:
        return territory_name(territories, int(key), locale)

    return [
        _breakdown(
            _("By territory"),
            totals.by_territory,
            territory,
            locale,
            top,
            totals.verified_by_territory,
        ),
        _breakdown(_("By level"), totals.by_level, lambda k: label(LEVEL_LABELS, k), locale, top),
        _breakdown(_("By theme"), totals.by_theme, lambda k: label(THEME_LABELS, k), locale, top),
        _breakdown(
            _("By platform"),
            totals.by_platform,
            lambda k: label(PLATFORM_LABELS, k),
            locale,
            top,
        ),
    ]
