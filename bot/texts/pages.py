"""A page's card: what /mypages and /pending show of each page."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.i18n import speaking
from bot.storage.records import Page, Territory
from bot.texts.formats import date, number, territory_name
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, STATUS_LABELS, THEME_LABELS, label
from bot.texts.observations import figure_is_observed, observed_lines


def page_card(
    page: Page, territories: list[Territory], tz: ZoneInfo, locale: str, i18n: I18n
) -> str:
    """A page as HTML lines in `locale`: title (escaped) and id, platform and
    territory, figure and last report (a date in `tz`), status; then the figure
    verified on the platform, if any (`bot.texts.observations.observed_lines`). When
    the current figure is the platform's, it is named so, with the last report's
    figure and day beside it."""
    with speaking(i18n, locale):
        lines = "".join(f"\n{line}" for line in observed_lines(page, tz, locale))
        values = {
            "title": escape(page.title),
            "id": page.id,
            "platform": label(PLATFORM_LABELS, page.platform),
            "territory": escape(territory_name(territories, page.territory_id, locale)),
            "status": label(STATUS_LABELS, page.status),
        }
        observed, day = page.observed_figure, page.observed_at
        if observed is not None and day is not None and figure_is_observed(page):
            reported = (
                f"{number(page.reported_figure, locale)} ({date(page.last_report_at, tz, locale)})"
                if page.reported_figure is not None and page.last_report_at
                else _("never")
            )
            return (
                _(
                    "<b>{title}</b> (#{id})\n"
                    "{platform}, {territory}\n"
                    "✅ Subscribers on the platform: {figure} ({day})\n"
                    "Last report: {reported}\n"
                    "Status: {status}"
                ).format(
                    figure=number(observed, locale),
                    day=date(day, tz, locale),
                    reported=reported,
                    **values,
                )
                + lines
            )
        figure = (
            number(page.current_figure, locale)
            if page.current_figure is not None
            else _("no figure yet")
        )
        last = date(page.last_report_at, tz, locale) if page.last_report_at else _("never")
        return (
            _(
                "<b>{title}</b> (#{id})\n"
                "{platform}, {territory}\n"
                "Subscribers: {figure}, last report: {last}\n"
                "Status: {status}"
            ).format(figure=figure, last=last, **values)
            + lines
        )


def pending_details(page: Page, locale: str, i18n: I18n) -> str:
    """The lines a coordinator reads under a pending page's card: level, theme, link."""
    with speaking(i18n, locale):
        return _("Level: {level}; theme: {theme}\n{url}").format(
            level=label(LEVEL_LABELS, page.level),
            theme=label(THEME_LABELS, page.theme),
            url=escape(page.url),
        )


def pending_card(
    page: Page, territories: list[Territory], tz: ZoneInfo, locale: str, i18n: I18n
) -> str:
    """What a coordinator reads of a page to decide on it: its card, then its level,
    theme and link (HTML; escaped)."""
    return (
        page_card(page, territories, tz, locale, i18n) + "\n" + pending_details(page, locale, i18n)
    )
