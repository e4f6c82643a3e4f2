"""The files of a registry import: reading an uploaded CSV or XLSX into rows of cells, and
writing the template and the invite links file.

Reading is synchronous and CPU-bound: callers run it in a thread (`asyncio.to_thread`).
openpyxl is imported when a workbook is read or written, not with the bot: it would add
a good part of a second to every start.
What the rows mean is `bot.domain.registry_import`'s business; this module only turns
bytes into (line, cells) as a spreadsheet shows them, line 1 first.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from decimal import Decimal

from bot.domain.registry_import import COLUMNS, Cell, FileProblem, FileRefused

#: Telegram lets a bot download files of at most 20 MB (getFile).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 (OLE2)
#: Starts of files people send by mistake: PDF, PNG, JPEG, GIF, RAR, 7-Zip, gzip.
_BINARY_MAGICS = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
)
#: Bytes no text file holds: the C0 controls but tab, line feed, form feed and return.
_CONTROL_BYTES = frozenset(range(0x20)) - frozenset(b"\t\n\x0c\r\x1a\x1b")
_DELIMITERS = (",", ";", "\t")
#: How much of a file's start is searched for the zero bytes of UTF-16 text.
_SNIFF_BYTES = 4 * 1024
#: CSV files the bot writes: what Russian Excel opens in columns, Cyrillic intact.
CSV_DELIMITER = ";"

Rows = Iterator[tuple[int, list[Cell]]]


def read_rows(data: bytes) -> Rows:
    """The rows of an uploaded file as (line, cells), line 1 first: an XLSX workbook's
    first sheet, or a CSV (UTF-8 with or without BOM; comma, semicolon or tab, read from
    the first non-blank line; quoted fields may hold delimiters and line breaks).

    XLSX cells come as text or numbers as typed (a number typed as text stays text);
    dates, times and booleans come as text. CSV cells are text. Raises FileRefused:
    OLD_EXCEL (an .xls), ENCODING (a CSV not in UTF-8, detail: its likely encoding,
    e.g. "Windows-1251", or "" when unknown), UNREADABLE (detail "xlsx" or "csv"; ""
    for a file that is neither: a PDF, an image, any binary with control bytes).
    Errors in the middle of a file are raised while iterating.
    """
    if data.startswith(_XLS_MAGIC):
        raise FileRefused(FileProblem.OLD_EXCEL)
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_rows(data)
    return _csv_rows(_decode(data))


def _decode(data: bytes) -> str:
    """A CSV's text; never guessed: anything but UTF-8 is refused with its likely name,
    and a binary file (no text at all) as unreadable."""
    head = data[:_SNIFF_BYTES]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(head):
        raise FileRefused(FileProblem.ENCODING, "UTF-16")
    if head.startswith(_BINARY_MAGICS) or not _CONTROL_BYTES.isdisjoint(head):
        raise FileRefused(FileProblem.UNREADABLE)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise FileRefused(FileProblem.ENCODING) from None
    # Bytes that read as Cyrillic letters in Windows-1251 are what Excel's "CSV" (not
    # "CSV UTF-8") writes on a Russian Windows.
    cyrillic = any("\u0400" <= char <= "\u04ff" for char in text)
    raise FileRefused(FileProblem.ENCODING, "Windows-1251" if cyrillic else "")


def _utf16_without_bom(head: bytes) -> bool:
    """UTF-16 text has its zero bytes (the high bytes of Latin letters, digits and
    punctuation) all at even or all at odd offsets; a binary file has them anywhere."""
    zeros = {offset % 2 for offset, byte in enumerate(head) if byte == 0}
    return len(zeros) == 1


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: first.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _csv_rows(text: str) -> Rows:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    line = 0
    try:
        for line, record in enumerate(reader, start=1):
            yield line, list(record)
    except csv.Error:
        raise FileRefused(FileProblem.UNREADABLE, "csv") from None


def _xlsx_rows(data: bytes) -> Rows:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not
            # change a cell's value.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileRefused(FileProblem.UNREADABLE, "xlsx") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise FileRefused(FileProblem.UNREADABLE, "xlsx")
        # Some writers record a wrong size of the sheet; read every row there is.
        sheet.reset_dimensions()
        try:
            for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, [_xlsx_cell(value) for value in values]
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise FileRefused(FileProblem.UNREADABLE, "xlsx") from None
    finally:
        workbook.close()


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """A CSV the way Excel opens it with Cyrillic intact: UTF-8 with a BOM, semicolons,
    fields quoted where needed; lines end with CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def template_csv() -> bytes:
    """The import template as CSV: the header row only."""
    return csv_bytes(COLUMNS, [])


def template_xlsx(values: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> bytes:
    """The import template as XLSX: a first sheet with the header row (bold, frozen,
    columns wide enough), and a second sheet listing the accepted values: for each
    (column name, [(code, name)]) of `values`, two columns of codes and names."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "registry"
    sheet.append(list(COLUMNS))
    widths = {"link": 40, "title": 40, "territory": 28, "admin": 24}
    for index, name in enumerate(COLUMNS, start=1):
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 16)
    sheet.freeze_panes = "A2"
    reference = workbook.create_sheet("values")
    for number, (column, entries) in enumerate(values):
        first = number * 3 + 1
        reference.cell(row=1, column=first, value=column).font = Font(bold=True)
        reference.column_dimensions[get_column_letter(first)].width = 16
        reference.column_dimensions[get_column_letter(first + 1)].width = 32
        for row, (code, name) in enumerate(entries, start=2):
            reference.cell(row=row, column=first, value=code)
            reference.cell(row=row, column=first + 1, value=name)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
