"""Shared pieces of texts: labels of fixed values, numbers and dates in the user's way."""

from __future__ import annotations

import datetime as dt
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import LazyProxy

from bot.domain.catalog import Level, PageStatus, Theme
from bot.domain.links import Platform
from bot.services.seminars import SeminarView
from bot.storage.records import Page, Territory

LEVEL_LABELS: dict[str, LazyProxy] = {
    Level.FEDERAL: __("Federal body"),
    Level.REGIONAL: __("Regional"),
    Level.MUNICIPAL: __("Municipal"),
    Level.SETTLEMENT: __("Settlement"),
    Level.INSTITUTION: __("Institution"),
}

THEME_LABELS: dict[str, LazyProxy] = {
    Theme.ADMINISTRATION: __("Administration"),
    Theme.CULTURE: __("Culture"),
    Theme.SPORT: __("Sport"),
    Theme.EDUCATION: __("Education"),
    Theme.HEALTH: __("Health"),
    Theme.SOCIAL: __("Social protection"),
    Theme.YOUTH: __("Youth"),
    Theme.SAFETY: __("Safety"),
    Theme.ECONOMY: __("Economy"),
    Theme.OTHER: __("Other"),
}

PLATFORM_LABELS: dict[str, LazyProxy] = {
    Platform.VK: __("VK"),
    Platform.OK: __("Odnoklassniki"),
    Platform.TELEGRAM: __("Telegram"),
    Platform.MAX: __("MAX"),
    Platform.OTHER: __("Other site"),
}

STATUS_LABELS: dict[str, LazyProxy] = {
    PageStatus.PENDING: __("waiting for approval"),
    PageStatus.APPROVED: __("approved"),
    PageStatus.REJECTED: __("rejected"),
}


def label(labels: dict[str, LazyProxy], code: str) -> str:
    found = labels.get(code)
    return str(found) if found is not None else code


def number(value: int, locale: str) -> str:
    """987 000 in Russian, 987,000 in English."""
    return format_decimal(value, locale=locale)


def signed(value: int, locale: str) -> str:
    if value > 0:
        return "+" + number(value, locale)
    if value < 0:
        return "−" + number(-value, locale)
    return "0"


def date(timestamp: int, tz: ZoneInfo, locale: str) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, tz)
    return format_date(moment, format="medium", locale=locale)


def territory_name(territories: list[Territory], territory_id: int, locale: str) -> str:
    for territory in territories:
        if territory.id == territory_id:
            return territory.name(locale)
    return "?"


def page_card(page: Page, territories: list[Territory], tz: ZoneInfo, locale: str) -> str:
    """A page as a few HTML lines: title (escaped), figure, last report, status."""
    figure = (
        number(page.current_figure, locale)
        if page.current_figure is not None
        else _("no figure yet")
    )
    last = date(page.last_report_at, tz, locale) if page.last_report_at else _("never")
    return _(
        "<b>{title}</b> (#{id})\n"
        "{platform}, {territory}\n"
        "Subscribers: {figure}, last report: {last}\n"
        "Status: {status}"
    ).format(
        title=escape(page.title),
        id=page.id,
        platform=label(PLATFORM_LABELS, page.platform),
        territory=escape(territory_name(territories, page.territory_id, locale)),
        figure=figure,
        last=last,
        status=label(STATUS_LABELS, page.status),
    )


def moment(timestamp: int, tz: ZoneInfo, locale: str) -> str:
    """A date and time in the region's time zone: 25 декабря 2026, 10:00."""
    return format_datetime(
        dt.datetime.fromtimestamp(timestamp, tz), format="d MMMM y, HH:mm", locale=locale
    )


def seminar_card(view: SeminarView, tz: ZoneInfo, locale: str) -> str:
    """A seminar as HTML lines: title, description, time, place, seats, own registration."""
    seminar = view.seminar
    lines = [_("🎓 <b>{title}</b>").format(title=escape(seminar.title))]
    if seminar.description:
        lines.append(escape(seminar.description))
    lines.append(
        _("🗓 {start}, {minutes} min").format(
            start=moment(seminar.starts_at, tz, locale), minutes=seminar.duration_minutes
        )
    )
    lines.append(_("📍 {place}").format(place=escape(seminar.place)))
    if seminar.capacity is None:
        lines.append(_("👥 Registered: {count}").format(count=number(view.registered, locale)))
    else:
        lines.append(
            _("👥 Registered: {count} of {capacity}").format(
                count=number(view.registered, locale), capacity=number(seminar.capacity, locale)
            )
        )
    if view.mine:
        lines.append(_("✅ You are registered."))
    elif view.full:
        lines.append(_("No seats left."))
    return "\n".join(lines)
