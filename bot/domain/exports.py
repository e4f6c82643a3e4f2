"""What /export produces: the kinds of table, their columns, periods, formats, file names.

The first columns of the pages table are the registry's column contract, shared with the
registry import (`REGISTRY_COLUMNS`): a pages export, imported into an empty database,
gives back the same pages. Column names are fixed codes in every language, so scripts and
the import read them alike; the values (territory, level, theme, status) are written in
the exporting user's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from bot.domain.localtime import DAY
from bot.domain.registry_import import COLUMNS as IMPORT_COLUMNS
from bot.domain.registry_import import PLATFORM_COLUMN

#: Telegram's limit for a document a bot sends through the cloud Bot API, in bytes.
DOCUMENT_LIMIT: Final = 50 * 1024 * 1024


class ExportKind(StrEnum):
    """A table /export produces; the value names its file."""

    #: Pages with their current figure, last report, status and administrators.
    PAGES = "pages"
    #: The reports of a period (`ExportPeriod`), page by page.
    REPORTS = "reports"
    #: Seminars, a row per registration.
    SEMINARS = "seminars"
    #: The audit log, oldest first.
    AUDIT = "audit"


class ExportFormat(StrEnum):
    """A file format; the value is the file's extension."""

    XLSX = "xlsx"
    CSV = "csv"


class ExportPeriod(StrEnum):
    """How far back the report history goes: the last N days (N × 24 hours before the
    moment of the export, both ends included), or all of it."""

    WEEK = "7"
    MONTH = "30"
    YEAR = "365"
    ALL = "all"

    @property
    def days(self) -> int | None:
        """The period's length in days; None for all of the history."""
        return None if self is ExportPeriod.ALL else int(self.value)

    def since(self, now: int) -> int | None:
        """The first moment (Unix seconds) inside the period ending at `now`; None: no
        lower bound."""
        days = self.days
        return None if days is None else now - days * DAY


@dataclass(frozen=True, slots=True)
class Column:
    """A column of an export: its header (a fixed code) and width in characters.

    `free_text` marks text people typed (titles, names, places): a CSV writes such a
    cell so that a spreadsheet never reads it as a formula.
    """

    name: str
    width: float
    free_text: bool = False


#: The registry's columns, in the import's order and with its names (territory, level
#: and theme by name in either language or by code; `admin` as @username or numeric id,
#: several separated by commas; `figure` the current figure).
REGISTRY_COLUMNS: Final = IMPORT_COLUMNS

_REGISTRY_WIDTHS = {
    "link": 40,
    "title": 40,
    "territory": 28,
    "level": 18,
    "theme": 20,
    "admin": 24,
    "figure": 12,
}
_PAGES = (
    *(
        Column(name, _REGISTRY_WIDTHS.get(name, 20), free_text=name == "title")
        for name in REGISTRY_COLUMNS
    ),
    # The platform the import reads for a site it cannot tell by the link, then what the
    # import ignores:
    Column(PLATFORM_COLUMN, 14),
    Column("status", 18),
    Column("last_report", 18),
    Column("administrators_count", 12),
    Column("page_id", 10),
    # Both figures behind `figure` (the most recent of them): the latest report, and the
    # latest count read from the platform with its time.
    Column("reported_figure", 12),
    Column("observed_figure", 12),
    Column("observed_at", 18),
)
_REPORTS = (
    Column("reported_at", 18),
    Column("page_id", 10),
    Column("link", 40),
    Column("title", 40, free_text=True),
    Column("territory", 28),
    Column("figure", 12),
    Column("reported_by", 20),
)
_SEMINARS = (
    Column("seminar_id", 10),
    Column("title", 40, free_text=True),
    Column("starts_at", 18),
    Column("duration_minutes", 10),
    Column("place", 30, free_text=True),
    Column("capacity", 10),
    Column("audience", 28),
    Column("registered", 20),
    Column("name", 28, free_text=True),
    Column("registered_at", 18),
    # Attendance (attended, checked_in_at) goes here once seminars record it: a column
    # each, and their values in `ExportRepository.seminars` and the seminar row's cells.
)
_AUDIT = (
    Column("at", 18),
    Column("actor", 20),
    Column("action", 20),
    Column("subject_kind", 12),
    Column("subject_id", 10),
    Column("territory", 28),
    Column("details", 50, free_text=True),
)

#: The columns of each kind, in order.
COLUMNS: Final[Mapping[ExportKind, tuple[Column, ...]]] = {
    ExportKind.PAGES: _PAGES,
    ExportKind.REPORTS: _REPORTS,
    ExportKind.SEMINARS: _SEMINARS,
    ExportKind.AUDIT: _AUDIT,
}


@dataclass(frozen=True, slots=True)
class ExportNames:
    """How values are written, in the exporting user's language: territories by id,
    levels, themes, platforms and page statuses by code; moments in `tz`."""

    territories: Mapping[int, str]
    levels: Mapping[str, str]
    themes: Mapping[str, str]
    platforms: Mapping[str, str]
    statuses: Mapping[str, str]
    tz: ZoneInfo
    #: A seminar open to the whole region, in the audience column.
    whole_region: str

    def territory(self, territory_id: int | None) -> str | None:
        """The territory's name; its id in digits if unknown; None for None."""
        if territory_id is None:
            return None
        return self.territories.get(territory_id, str(territory_id))

    def local(self, timestamp: int | None) -> dt.datetime | None:
        """Unix seconds as the region's wall-clock time, without a zone (spreadsheets
        have none); None for None."""
        if timestamp is None:
            return None
        return dt.datetime.fromtimestamp(timestamp, self.tz).replace(tzinfo=None)


def admin_reference(user_id: int, username: str | None) -> str:
    """How the registry names an administrator: "@username", or the numeric id."""
    return f"@{username}" if username else str(user_id)


def export_stem(
    kind: ExportKind,
    *,
    territory_code: str | None,
    day: dt.date,
    period: ExportPeriod = ExportPeriod.ALL,
) -> str:
    """The file's name without its extension: kind, period (reports), territory code or
    "all", day, e.g. "reports_30d_penza_2026-09-21". ASCII only, so every mail client and
    file system keeps it."""
    parts = [kind.value]
    if kind is ExportKind.REPORTS and period.days is not None:
        parts.append(f"{period.days}d")
    parts += [territory_code or "all", day.isoformat()]
    return "_".join(parts)
