"""Checking a registry file before its rows become approved pages: pure, no I/O.

A file is a sheet of cells; its first non-blank row is the header, which names the
columns `COLUMNS` (any letter case, any order, other columns ignored: an export made
by the bot imports back). Each later non-blank row is one page. `read_sheet` finds the
columns, `check_rows` checks every row against the file itself (links, duplicates) and the
reference data (`Vocabulary`: territories, levels, themes), and `judge` adds the rows
whose link is registered already (the caller looks them up in one query). Every problem
carries the row's line as a spreadsheet shows it: the header is usually line 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias, TypeVar

from bot.domain.catalog import Level, Theme
from bot.domain.figures import MAX_FIGURE, FigureError, parse_figure
from bot.domain.limits import PAGE_TITLE
from bot.domain.links import LinkError, PageLink, Platform, parse_link
from bot.domain.sheets import from_text_cell

#: The template's columns, in its order; the first five are required.
COLUMNS = ("link", "title", "territory", "level", "theme", "admin", "figure")
REQUIRED_COLUMNS = COLUMNS[:5]
#: Not in the template, but in the bot's exports: the platform of a link on a site the
#: bot cannot tell by its address (otherwise "other").
PLATFORM_COLUMN = "platform"
#: A file with more pages than this is refused: split it.
MAX_ROWS = 50_000
#: The longest piece of a cell a problem quotes; longer ones are cut with "…".
QUOTE_LIMIT = 60
#: Telegram user ids are positive and below 2**52; a longer number is a typo.
MAX_USER_ID = 2**52

#: A cell as the file readers give it: text, a number, or nothing (dates and other
#: values come as text).
Cell: TypeAlias = str | int | float | None

T = TypeVar("T")


class FileProblem(StrEnum):
    """Why a whole file is refused; `FileRefused.detail` says more where it can."""

    EMPTY = "empty"  # no header row at all
    MISSING_COLUMNS = "missing_columns"  # detail: the missing columns, comma-separated
    TOO_MANY_ROWS = "too_many_rows"  # detail: MAX_ROWS
    ENCODING = "encoding"  # a CSV not in UTF-8; detail: the encoding it seems to be in
    OLD_EXCEL = "old_excel"  # an .xls (Excel 97-2003) workbook
    UNREADABLE = "unreadable"  # not a CSV or XLSX the readers can open; detail: which
    TOO_BIG = "too_big"  # larger than Telegram lets a bot download; detail: the limit in MB


class FileRefused(ValueError):
    """The file cannot be checked row by row at all (see `FileProblem`)."""

    def __init__(self, problem: FileProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


class Problem(StrEnum):
    """What is wrong with a row, in the order of the columns."""

    NO_LINK = "no_link"
    BAD_LINK = "bad_link"  # not a link to a page (parse_link refuses it)
    DUPLICATE = "duplicate"  # the same page (any form of its link) on an earlier line
    REGISTERED = "registered"  # the page is in the bot already
    NO_TITLE = "no_title"
    LONG_TITLE = "long_title"  # longer than PAGE_TITLE allows
    UNKNOWN_TERRITORY = "unknown_territory"
    UNKNOWN_LEVEL = "unknown_level"
    UNKNOWN_THEME = "unknown_theme"
    BAD_ADMIN = "bad_admin"  # not an @username or a numeric Telegram id
    BAD_FIGURE = "bad_figure"  # not a whole number of subscribers, 0..MAX_FIGURE


_PROBLEM_ORDER = {problem: index for index, problem in enumerate(Problem)}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One problem of the row on `line`. `value` is the cell as written (cut to
    QUOTE_LIMIT), or for REGISTERED the title the page is registered under; for DUPLICATE
    `first_line` is the line of the occurrence that is kept."""

    line: int
    problem: Problem
    value: str = ""
    first_line: int = 0


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A non-blank row of the file: its line and the cells of the columns the import reads."""

    line: int
    link: Cell = None
    title: Cell = None
    territory: Cell = None
    level: Cell = None
    theme: Cell = None
    admin: Cell = None
    figure: Cell = None
    platform: Cell = None

    def to_json(self) -> list[Cell]:
        """The row as a JSON array (what is kept between the dry run and the apply)."""
        return [
            self.line,
            self.link,
            self.title,
            self.territory,
            self.level,
            self.theme,
            self.admin,
            self.figure,
            self.platform,
        ]

    @classmethod
    def from_json(cls, values: Sequence[Cell]) -> SourceRow:
        """The inverse of `to_json`; raises ValueError for an array of another shape."""
        if len(values) != 9 or not isinstance(values[0], int):
            raise ValueError("not a stored import row")
        return cls(values[0], *values[1:])


@dataclass(frozen=True, slots=True)
class AdminRef:
    """An administrator named in the `admin` column: a Telegram user id or a username
    (without "@", as written)."""

    user_id: int | None = None
    username: str | None = None

    def __str__(self) -> str:
        return f"@{self.username}" if self.username is not None else str(self.user_id)


@dataclass(frozen=True, slots=True)
class ImportRow:
    """A good row: everything an approved page needs, its administrators and its figure.
    `platform` is the link's, or for another site the file's `platform` column or OTHER."""

    line: int
    link: PageLink
    platform: Platform
    title: str
    territory_id: int
    level: Level
    theme: Theme
    admins: tuple[AdminRef, ...] = ()
    figure: int | None = None


@dataclass(frozen=True, slots=True)
class ImportCheck:
    """The verdict on a file: the good rows, every problem (by line, then column), and
    how many non-blank rows it has."""

    rows: list[ImportRow]
    problems: list[RowProblem]
    total: int

    @property
    def bad_rows(self) -> int:
        return len({problem.line for problem in self.problems})


@dataclass(frozen=True, slots=True)
class Checked:
    """Rows checked against the file and the reference data, not yet against the pages
    registered: `first_lines` maps each link key to the line it first appears on, whether
    that row is good or not (`judge` needs both)."""

    rows: list[ImportRow]
    problems: list[RowProblem]
    total: int
    first_lines: dict[str, int] = field(default_factory=dict)

    @property
    def link_keys(self) -> set[str]:
        """The keys to look up among the registered pages."""
        return set(self.first_lines)


def normalise(text: str) -> str:
    """A name as it is compared: trimmed, inner spaces collapsed, case folded, ё read as е."""
    return " ".join(text.split()).casefold().replace("ё", "е")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Every accepted spelling (see `normalise`) of a territory, level, theme and platform:
    codes and names in every language the caller gives."""

    territories: Mapping[str, int]
    levels: Mapping[str, Level]
    themes: Mapping[str, Theme]
    platforms: Mapping[str, Platform]

    @classmethod
    def build(
        cls,
        territories: Iterable[tuple[int, Iterable[str]]],
        levels: Mapping[Level, Iterable[str]],
        themes: Mapping[Theme, Iterable[str]],
        platforms: Mapping[Platform, Iterable[str]],
    ) -> Vocabulary:
        """`territories`: (id, its code and names); the others: each value's names (its
        code is added). A spelling two values share is accepted for neither."""
        return cls(
            territories=_index(territories),
            levels=_index((level, [level.value, *names]) for level, names in levels.items()),
            themes=_index((theme, [theme.value, *names]) for theme, names in themes.items()),
            platforms=_index(
                (platform, [platform.value, *names]) for platform, names in platforms.items()
            ),
        )


def _index(entries: Iterable[tuple[T, Iterable[str]]]) -> dict[str, T]:
    found: dict[str, T] = {}
    ambiguous: set[str] = set()
    for value, names in entries:
        for name in names:
            key = normalise(name)
            if not key:
                continue
            if key in found and found[key] != value:
                ambiguous.add(key)
            found.setdefault(key, value)
    return {key: value for key, value in found.items() if key not in ambiguous}


def read_sheet(rows: Iterable[tuple[int, Sequence[Cell]]]) -> list[SourceRow]:
    """The rows of a sheet given as (line, cells), header included, as SourceRows.

    The first non-blank row is the header: names matched trimmed and in any letter case.
    Blank rows are skipped (their lines still count). Raises FileRefused: EMPTY (no
    header), MISSING_COLUMNS (detail: the missing required names, in template order),
    TOO_MANY_ROWS (more than MAX_ROWS rows).
    """
    iterator = iter(rows)
    header: dict[str, int] | None = None
    for _line, cells in iterator:
        if not _blank(cells):
            header = _columns(cells)
            break
    if header is None:
        raise FileRefused(FileProblem.EMPTY)
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise FileRefused(FileProblem.MISSING_COLUMNS, ", ".join(missing))
    wanted = [*COLUMNS, PLATFORM_COLUMN]
    positions = [header.get(name) for name in wanted]
    found: list[SourceRow] = []
    for line, cells in iterator:
        if _blank(cells):
            continue
        if len(found) >= MAX_ROWS:
            raise FileRefused(FileProblem.TOO_MANY_ROWS, str(MAX_ROWS))
        values = [
            cells[index] if index is not None and index < len(cells) else None
            for index in positions
        ]
        found.append(SourceRow(line, *values))
    return found


def _columns(cells: Sequence[Cell]) -> dict[str, int]:
    """Column name → index; the first of two columns with one name wins."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _text(cell).lstrip("\ufeff").strip().lower()
        if name:
            columns.setdefault(name, index)
    return columns


def _blank(cells: Sequence[Cell]) -> bool:
    return all(not _text(cell).strip() for cell in cells)


def _text(cell: Cell) -> str:
    """A cell as text: numbers as written ("12", not "12.0", for whole floats)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def check_rows(rows: Sequence[SourceRow], vocabulary: Vocabulary) -> Checked:
    """Check every row against the file and the reference data.

    A row's problems are listed all at once, in the order of the columns. Of rows with
    the same page (any form of its link, see `parse_link`), the first is kept and the
    later ones are DUPLICATEs naming its line. Registered pages are `judge`'s.
    """
    good: list[ImportRow] = []
    problems: list[RowProblem] = []
    first_lines: dict[str, int] = {}
    for row in rows:
        checked = _check_row(row, vocabulary, first_lines)
        if isinstance(checked, ImportRow):
            good.append(checked)
        else:
            problems.extend(checked)
    return Checked(good, problems, len(rows), first_lines)


def _check_row(
    row: SourceRow, vocabulary: Vocabulary, first_lines: dict[str, int]
) -> ImportRow | list[RowProblem]:
    """The row as a page, or its problems; records its link's first line."""
    link, link_problem = _check_link(row, first_lines)
    found = [link_problem] if link_problem is not None else []

    def refuse(problem: Problem, value: Cell = None) -> None:
        found.append(RowProblem(row.line, problem, _quote(_text(value))))

    title = " ".join(from_text_cell(_text(row.title)).split())
    if not title:
        refuse(Problem.NO_TITLE)
    elif not PAGE_TITLE.admits(title):
        refuse(Problem.LONG_TITLE, title)
    territory = _lookup(vocabulary.territories, row.territory)
    level = _lookup(vocabulary.levels, row.level)
    theme = _lookup(vocabulary.themes, row.theme)
    for known, cell, problem in (
        (territory, row.territory, Problem.UNKNOWN_TERRITORY),
        (level, row.level, Problem.UNKNOWN_LEVEL),
        (theme, row.theme, Problem.UNKNOWN_THEME),
    ):
        if known is None:
            refuse(problem, cell)
    admins: tuple[AdminRef, ...] = ()
    try:
        admins = parse_admins(row.admin)
    except ValueError as exc:
        refuse(Problem.BAD_ADMIN, str(exc))
    figure: int | None = None
    try:
        figure = parse_cell_figure(row.figure)
    except ValueError:
        refuse(Problem.BAD_FIGURE, row.figure)
    if found or link is None or territory is None or level is None or theme is None:
        return found
    platform = link.platform or _lookup(vocabulary.platforms, row.platform) or Platform.OTHER
    return ImportRow(row.line, link, platform, title, territory, level, theme, admins, figure)


def _check_link(
    row: SourceRow, first_lines: dict[str, int]
) -> tuple[PageLink | None, RowProblem | None]:
    """The row's link when it is one (duplicate or not), and what is wrong with it."""
    text = _text(row.link).strip()
    if not text:
        return None, RowProblem(row.line, Problem.NO_LINK)
    try:
        link = parse_link(text)
    except LinkError:
        return None, RowProblem(row.line, Problem.BAD_LINK, _quote(text))
    first = first_lines.setdefault(link.key, row.line)
    if first != row.line:
        return link, RowProblem(row.line, Problem.DUPLICATE, _quote(text), first)
    return link, None


def judge(checked: Checked, registered: Mapping[str, str]) -> ImportCheck:
    """The verdict once the registered pages are known: `registered` maps the link keys
    (of `checked.link_keys`) that are in the bot already to the title they are
    registered under. The first row of such a page gets a REGISTERED problem (its later
    rows are DUPLICATEs already); problems come by line, then in column order."""
    problems = list(checked.problems)
    lines = {
        checked.first_lines[key]: title
        for key, title in registered.items()
        if key in checked.first_lines
    }
    problems.extend(
        RowProblem(line, Problem.REGISTERED, _quote(title)) for line, title in lines.items()
    )
    problems.sort(key=lambda p: (p.line, _PROBLEM_ORDER[p.problem]))
    rows = [row for row in checked.rows if row.line not in lines]
    return ImportCheck(rows, problems, checked.total)


def _lookup(names: Mapping[str, T], cell: Cell) -> T | None:
    return names.get(normalise(_text(cell)))


_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_PROFILE_LINK = re.compile(r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me)/", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;\s]+")


def parse_admins(cell: Cell) -> tuple[AdminRef, ...]:
    """The administrators a cell names, each once, in its order: @usernames (also written
    without "@", or as a t.me/ link) and numeric Telegram ids, separated by commas,
    semicolons or spaces. An empty cell names nobody. Raises ValueError whose message is
    the first piece that is neither."""
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            raise ValueError(_text(cell))
        pieces = [_text(cell)]
    else:
        pieces = [piece for piece in _SEPARATORS.split(cell or "") if piece]
    found: list[AdminRef] = []
    for piece in pieces:
        ref = _admin_ref(piece)
        if ref is None:
            raise ValueError(piece)
        if ref not in found:
            found.append(ref)
    return tuple(found)


def _admin_ref(piece: str) -> AdminRef | None:
    if piece.isascii() and piece.isdigit():
        user_id = int(piece)
        return AdminRef(user_id=user_id) if 0 < user_id < MAX_USER_ID else None
    name = _PROFILE_LINK.sub("", piece, count=1).removeprefix("@")
    if _USERNAME.fullmatch(name):
        return AdminRef(username=name)
    return None


def parse_cell_figure(cell: Cell) -> int | None:
    """A subscriber count from a cell: a whole number cell, or text as people type it
    (`parse_figure`: "12 345", "12345", "12,3 тыс"); an empty cell is None. Raises
    ValueError for anything else, or a number outside 0..MAX_FIGURE."""
    if cell is None:
        return None
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            raise ValueError(str(cell))
        value = int(cell)
        if not 0 <= value <= MAX_FIGURE:
            raise ValueError(str(cell))
        return value
    if not cell.strip():
        return None
    try:
        return parse_figure(cell)
    except FigureError as exc:
        raise ValueError(cell) from exc
