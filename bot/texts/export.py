"""What /export says: its choices, its progress, the documents' captions, and the names
the exported values are written with. Called in the user's language context."""

from __future__ import annotations

import math
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n import ngettext
from babel.support import LazyProxy

from bot.domain.exports import (
    DOCUMENT_LIMIT,
    ExportFormat,
    ExportKind,
    ExportNames,
    ExportPeriod,
)
from bot.services.errors import ExportTooLarge
from bot.storage.records import Territory
from bot.texts.formats import date, number
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, STATUS_LABELS, THEME_LABELS

MB = 2**20

_KIND_TITLES: dict[ExportKind, LazyProxy] = {
    ExportKind.PAGES: __("Pages"),
    ExportKind.REPORTS: __("Report history"),
    ExportKind.SEMINARS: __("Seminars and registrations"),
    ExportKind.AUDIT: __("Audit log"),
}
_ICONS = {
    ExportKind.PAGES: "📄",
    ExportKind.REPORTS: "📈",
    ExportKind.SEMINARS: "🎓",
    ExportKind.AUDIT: "🗂",
}


def export_names(
    territories: list[Territory], locale: str, tz: ZoneInfo, region: str
) -> ExportNames:
    """The names exported values are written with in `locale`; `region` (the region's
    name) stands for a seminar open to the whole region."""
    return ExportNames(
        territories={territory.id: territory.name(locale) for territory in territories},
        levels={code: str(name) for code, name in LEVEL_LABELS.items()},
        themes={code: str(name) for code, name in THEME_LABELS.items()},
        platforms={code: str(name) for code, name in PLATFORM_LABELS.items()},
        statuses={code: str(name) for code, name in STATUS_LABELS.items()},
        tz=tz,
        whole_region=region,
    )


def kind_title(kind: ExportKind) -> str:
    return str(_KIND_TITLES[kind])


def kind_button(kind: ExportKind) -> str:
    return f"{_ICONS[kind]} {kind_title(kind)}"


def period_button(period: ExportPeriod) -> str:
    days = period.days
    if days is None:
        return _("All time")
    return ngettext("{days} day", "{days} days", days).format(days=days)


def format_button(fmt: ExportFormat) -> str:
    if fmt is ExportFormat.XLSX:
        return _("XLSX (Excel)")
    return _("CSV")


def what(kind: ExportKind, period: ExportPeriod) -> str:
    """The export's subject: its kind, and for the report history its period."""
    title = kind_title(kind)
    if kind is not ExportKind.REPORTS:
        return title
    days = period.days
    if days is None:
        return _("{what}, all time").format(what=title)
    return ngettext("{what}, the last {days} day", "{what}, the last {days} days", days).format(
        what=title, days=days
    )


def choose_kind(territory: str | None) -> str:
    """The first step; `territory` is a scoped coordinator's territory (not escaped)."""
    text = _("<b>Export</b>: what should go into the file?")
    if territory is not None:
        text += "\n" + _("Only {territory}: the territory you coordinate.").format(
            territory=escape(territory)
        )
    return text


def choose_period() -> str:
    return _("The report history of which period?")


def choose_format(kind: ExportKind, period: ExportPeriod) -> str:
    return (
        _("<b>{what}</b>: which format?").format(what=escape(what(kind, period)))
        + "\n"
        + _(
            "XLSX opens in Excel with numbers and dates typed. CSV (UTF-8, semicolons) "
            "suits any program; a CSV over {limit} MB comes in several files."
        ).format(limit=DOCUMENT_LIMIT // MB)
    )


def preparing(kind: ExportKind, period: ExportPeriod, fmt: ExportFormat) -> str:
    return _("Preparing the export: {what}, {format}…").format(
        what=escape(what(kind, period)), format=fmt.value.upper()
    )


def progress(done: int, total: int, locale: str) -> str:
    return ngettext(
        "Exported {done} of {total} row…", "Exported {done} of {total} rows…", total
    ).format(done=number(done, locale), total=number(total, locale))


def finished(rows: int, files: int, locale: str) -> str:
    text = ngettext("Exported {count} row.", "Exported {count} rows.", rows).format(
        count=number(rows, locale)
    )
    if files > 1:
        text += " " + ngettext(
            "Telegram takes files of up to {limit} MB, so it came in {count} part.",
            "Telegram takes files of up to {limit} MB, so it came in {count} parts.",
            files,
        ).format(count=files, limit=DOCUMENT_LIMIT // MB)
    return text


def caption(
    kind: ExportKind,
    period: ExportPeriod,
    *,
    scope: str,
    at: int,
    tz: ZoneInfo,
    rows: int,
    part: int,
    parts: int,
    locale: str,
) -> str:
    """A document's caption: what, whose (`scope`: a territory or the region, not
    escaped), when (`at`, Unix seconds), how many rows; the part of how many."""
    text = _("{what} · {scope} · {day}").format(
        what=escape(what(kind, period)),
        scope=escape(scope),
        day=date(at, tz, locale),
    )
    text += "\n" + ngettext("{count} row", "{count} rows", rows).format(count=number(rows, locale))
    if parts > 1:
        text += "\n" + _("Part {part} of {parts}.").format(part=part, parts=parts)
    return text


def too_large(error: ExportTooLarge) -> str:
    """Why an XLSX was not sent, and what to choose instead."""
    return _(
        "The XLSX file came to {size} MB, more than the {limit} MB Telegram lets a bot "
        "send. Choose CSV (it comes in several files) or a shorter period."
    ).format(size=math.ceil(error.size / MB), limit=error.limit // MB)


def already_running() -> str:
    """The refusal of a second export while the coordinator's first one runs."""
    return _("An export is already being prepared; it will arrive here.")


def interrupted() -> str:
    return _("The export was interrupted: the bot is restarting. Please request it again.")
