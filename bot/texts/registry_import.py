"""What a registry import says: the names it accepts, each problem of a row, the dry run's
and the apply's summaries, the notice a named administrator gets.

Texts here are plain (the command line prints them); the bot escapes them as a whole
before putting them into an HTML message. `import_notice` alone is HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.domain.catalog import Level, Theme
from bot.domain.limits import PAGE_TITLE
from bot.domain.links import Platform
from bot.domain.registry_import import FileProblem, Problem, RowProblem
from bot.i18n import locale_of, speaking
from bot.services.registry_import import Applied, DryRun, ImportNotice, VocabularyNames
from bot.storage.records import Territory, User
from bot.texts.formats import date, number
from bot.texts.labels import LEVEL_LABELS, PLATFORM_LABELS, THEME_LABELS, label

#: What each problem of a row says: {line}, {value} (the cell, or the registered title),
#: {first} (the line kept of duplicates), {limit} (of a title).
PROBLEM_TEXTS: dict[Problem, LazyProxy] = {
    Problem.NO_LINK: __("Line {line}: no link"),
    Problem.BAD_LINK: __("Line {line}: «{value}» is not a link to a page"),
    Problem.DUPLICATE: __("Line {line}: the same page as line {first}"),
    Problem.REGISTERED: __("Line {line}: already registered as «{value}»"),
    Problem.NO_TITLE: __("Line {line}: no title"),
    Problem.LONG_TITLE: __("Line {line}: the title is longer than {limit} characters"),
    Problem.UNKNOWN_TERRITORY: __("Line {line}: unknown territory «{value}»"),
    Problem.UNKNOWN_LEVEL: __("Line {line}: unknown level «{value}»"),
    Problem.UNKNOWN_THEME: __("Line {line}: unknown theme «{value}»"),
    Problem.BAD_ADMIN: __("Line {line}: «{value}» is not an @username or a numeric Telegram id"),
    Problem.BAD_FIGURE: __("Line {line}: «{value}» is not a number of subscribers"),
}
#: The same when the cell is empty.
EMPTY_CELL_TEXTS: dict[Problem, LazyProxy] = {
    Problem.UNKNOWN_TERRITORY: __("Line {line}: no territory"),
    Problem.UNKNOWN_LEVEL: __("Line {line}: no level"),
    Problem.UNKNOWN_THEME: __("Line {line}: no theme"),
}

#: A named administrator's notice lists at most this many titles.
NOTICE_TITLES = 10


def vocabulary_names(i18n: I18n) -> VocabularyNames:
    """The level, theme and platform names of every catalogue: a file may use either
    language's (the codes are accepted as well)."""
    levels: dict[Level, list[str]] = {level: [] for level in Level}
    themes: dict[Theme, list[str]] = {theme: [] for theme in Theme}
    platforms: dict[Platform, list[str]] = {platform: [] for platform in Platform}
    for locale in i18n.available_locales:
        with speaking(i18n, locale):
            for level, names in levels.items():
                names.append(label(LEVEL_LABELS, level))
            for theme, names in themes.items():
                names.append(label(THEME_LABELS, theme))
            for platform, names in platforms.items():
                names.append(label(PLATFORM_LABELS, platform))
    return VocabularyNames(levels=levels, themes=themes, platforms=platforms)


def template_values(
    territories: Sequence[Territory], locale: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The accepted values the XLSX template lists beside its sheet: for the territory,
    level and theme columns, each value's code and its name in `locale` (current
    language context)."""
    return [
        ("territory", [(t.code, t.name(locale)) for t in territories]),
        ("level", [(level.value, label(LEVEL_LABELS, level)) for level in Level]),
        ("theme", [(theme.value, label(THEME_LABELS, theme)) for theme in Theme]),
    ]


def import_intro() -> str:
    """What /import says before a file is sent."""
    return _(
        "Import of the registry: every row of a spreadsheet becomes an approved page.\n\n"
        "1. Download the template (XLSX or CSV) and fill one row per page: link, title, "
        "territory, level, theme (names in Russian or English, or codes: the template's "
        "second sheet lists them), admin (optional: the administrator's @username or "
        "numeric Telegram id, several separated by commas), figure (optional: the current "
        "subscriber count).\n"
        "2. Send the filled file here as a document (XLSX, or CSV in UTF-8).\n\n"
        "First I check every row and list the bad ones; nothing is written until you "
        "confirm. /cancel stops."
    )


def file_refusal(problem: FileProblem, detail: str) -> str:
    """Why a whole file is refused, and what to do about it."""
    match problem:
        case FileProblem.EMPTY:
            return _("The file is empty: there is not even a header row.")
        case FileProblem.MISSING_COLUMNS:
            return _(
                "Required columns are missing: {columns}. The first row must name the columns: "
                "link, title, territory, level, theme (admin and figure are optional)."
            ).format(columns=detail)
        case FileProblem.TOO_MANY_ROWS:
            return _("The file has more than {limit} rows. Split it into several files.").format(
                limit=detail
            )
        case FileProblem.ENCODING if detail:
            return _(
                "The file is in {encoding}, not UTF-8. Save it as «CSV UTF-8» "
                "(in Excel: File → Save as → CSV UTF-8), or as XLSX, and send it again."
            ).format(encoding=detail)
        case FileProblem.ENCODING:
            return _(
                "The file is not in UTF-8. Save it as «CSV UTF-8» "
                "(in Excel: File → Save as → CSV UTF-8), or as XLSX, and send it again."
            )
        case FileProblem.OLD_EXCEL:
            return _(
                "This is an old Excel workbook (.xls). Save it as XLSX or «CSV UTF-8» "
                "and send it again."
            )
        case FileProblem.TOO_BIG:
            return _("The file is larger than {limit} MB, the most a bot may download.").format(
                limit=detail
            )
    if problem is FileProblem.UNREADABLE and not detail:
        return _("This is not a CSV or XLSX file. Send an XLSX workbook or a CSV in UTF-8.")
    return _("I cannot read this file as {kind}. Send an XLSX workbook or a CSV in UTF-8.").format(
        kind=detail.upper() or "CSV"
    )


def problem_text(problem: RowProblem) -> str:
    """One problem of a row: "Line 5: unknown territory «Пенза-3»"."""
    text = PROBLEM_TEXTS[problem.problem]
    if not problem.value:
        text = EMPTY_CELL_TEXTS.get(problem.problem, text)
    # Each text uses some of these; str.format ignores the others.
    return str(text).format(
        line=problem.line,
        value=problem.value,
        first=problem.first_line,
        limit=PAGE_TITLE.max_length,
    )


def dry_run_summary(dry_run: DryRun, locale: str) -> str:
    """The dry run in two lines: rows read, rows that can be imported."""
    lines = [
        ngettext(
            "File «{file}»: {total} row checked.",
            "File «{file}»: {total} rows checked.",
            dry_run.total,
        ).format(file=dry_run.file_name, total=number(dry_run.total, locale)),
        ngettext(
            "{count} page can be imported.", "{count} pages can be imported.", dry_run.good
        ).format(count=number(dry_run.good, locale)),
    ]
    return "\n".join(lines)


def problems_heading(dry_run: DryRun, locale: str) -> str:
    """The line above the list of bad rows."""
    return ngettext(
        "{count} row has problems and will be skipped:",
        "{count} rows have problems and will be skipped:",
        dry_run.bad_rows,
    ).format(count=number(dry_run.bad_rows, locale))


def dry_run_note(dry_run: DryRun) -> str:
    """What happens next, under the dry run's summary."""
    if dry_run.applied:
        return _("This file has been imported.")
    if not dry_run.good:
        return _("Nothing to import. Correct the file and send it again.")
    return _(
        "Nothing has been written yet. Correct the file and send it again, or apply the "
        "good rows now."
    )


def apply_button(dry_run: DryRun, locale: str) -> str:
    return ngettext("✅ Apply {count} page", "✅ Apply {count} pages", dry_run.good).format(
        count=number(dry_run.good, locale)
    )


def applied_summary(applied: Applied, locale: str) -> str:
    """What the apply did, in a few lines (then the late problems, if any)."""
    lines = [
        ngettext(
            "Imported {count} page from «{file}» as approved; with a subscriber figure, "
            "counted in /total: {figures}.",
            "Imported {count} pages from «{file}» as approved; with a subscriber figure, "
            "counted in /total: {figures}.",
            applied.pages,
        ).format(
            count=number(applied.pages, locale),
            file=applied.file_name,
            figures=number(applied.figures, locale),
        )
    ]
    if applied.notified:
        lines.append(
            ngettext(
                "{count} named administrator already uses the bot: they administer their "
                "pages now and have been told.",
                "{count} named administrators already use the bot: they administer their "
                "pages now and have been told.",
                applied.notified,
            ).format(count=number(applied.notified, locale))
        )
    if applied.late:
        lines.append(
            ngettext(
                "Since the check, {count} row was registered by someone else and was skipped:",
                "Since the check, {count} rows were registered by someone else and were skipped:",
                len({problem.line for problem in applied.late}),
            ).format(count=number(len({problem.line for problem in applied.late}), locale))
        )
        lines.extend(problem_text(problem) for problem in applied.late)
    return "\n".join(lines)


def invites_note(applied: Applied, tz: ZoneInfo, locale: str) -> str:
    """What the invite links file is (one link per page and administrator who has not
    started the bot yet) and until when its links work."""
    count = len(applied.invites)
    return ngettext(
        "{count} personal invite link for administrators who have not started the bot "
        "yet, valid until {date}: send each to its administrator by mail or chat. Opening "
        "it makes them the page's administrator.",
        "{count} personal invite links for administrators who have not started the bot "
        "yet, valid until {date}: send each to its administrator by mail or chat. Opening "
        "one makes them the page's administrator.",
        count,
    ).format(
        count=number(count, locale),
        date=date(applied.invites[0].expires_at, tz, locale) if applied.invites else "",
    )


def import_notice(i18n: I18n) -> ImportNotice:
    """The renderer the import calls for each named administrator who uses the bot:
    the pages they now administer, in their own language (HTML, titles escaped)."""

    def render(user: User, titles: Sequence[str]) -> str:
        with speaking(i18n, locale_of(user, i18n)):
            shown = ", ".join(f"«{escape(title)}»" for title in titles[:NOTICE_TITLES])
            if len(titles) > NOTICE_TITLES:
                shown += ", …"
            return ngettext(
                "The coordinators have imported the region's registry: you are now the "
                "administrator of {count} page, {titles}. See it in /mypages and report "
                "its subscriber figure with /report.",
                "The coordinators have imported the region's registry: you are now an "
                "administrator of {count} pages: {titles}. See them in /mypages and report "
                "their subscriber figures with /report.",
                len(titles),
            ).format(count=len(titles), titles=shown)

    return render
