"""Spreadsheet files written row by row into a folder, never held whole in memory.

- XLSX: openpyxl's write-only mode (rows go to a temporary file as they come, and are
  zipped when the workbook is saved): a bold, frozen header row, column widths, numbers
  as numbers, moments as dates (naive local times with a date number format: Excel has
  no time zones). Text is always text: a title that starts with "=" is never a formula.
- CSV: UTF-8 with a byte order mark and semicolons, what Excel opens with Cyrillic intact
  in a Russian locale. Split into parts of at most `part_bytes` each, every part with
  its own byte order mark and header, so each part fits a Telegram document.

The writers are synchronous (CPU work): call them off the event loop
(`asyncio.to_thread`), one call at a time.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeAlias

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from bot.domain.exports import Column, ExportFormat
from bot.domain.sheets import as_text_cell

#: A cell's value: text, a number, a local moment, or empty.
Cell: TypeAlias = str | int | float | dt.datetime | None


class RowTooLarge(ValueError):
    """One CSV row (with the header) does not fit in a part."""


class SheetWriter(Protocol):
    def write(self, rows: Iterable[Sequence[Cell]]) -> int:
        """Append rows, each a value per column; returns how many were written."""
        ...

    def close(self) -> list[Path]:
        """Finish the file(s); returns their paths in order."""
        ...


def open_writer(
    fmt: ExportFormat,
    folder: Path,
    stem: str,
    title: str,
    columns: Sequence[Column],
    *,
    part_bytes: int,
) -> SheetWriter:
    """A writer of `columns` into `folder`/`stem`.<format>; `title` names an XLSX sheet;
    `part_bytes` is the largest CSV part (XLSX files are not split)."""
    if fmt is ExportFormat.XLSX:
        return XlsxWriter(folder / f"{stem}.xlsx", title, columns)
    return CsvWriter(folder, stem, columns, part_bytes=part_bytes)


class XlsxWriter:
    """One sheet of an XLSX workbook in write-only mode; see the module docstring."""

    def __init__(self, path: Path, title: str, columns: Sequence[Column]) -> None:
        self._path = path
        self._workbook = Workbook(write_only=True)
        self._sheet = self._workbook.create_sheet(title=title[:31])  # Excel's limit
        self._sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, 1):
            self._sheet.column_dimensions[get_column_letter(index)].width = column.width
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(self._sheet, value=column.name)
            cell.font = bold
            header.append(cell)
        self._sheet.append(header)

    def write(self, rows: Iterable[Sequence[Cell]]) -> int:
        count = 0
        append = self._sheet.append
        for row in rows:
            append([self._text(value) if isinstance(value, str) else value for value in row])
            count += 1
        return count

    def _text(self, value: str) -> str | XlsxCell:
        if ILLEGAL_CHARACTERS_RE.search(value):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML refuses
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(self._sheet, value=value)
        cell.data_type = "s"  # openpyxl would store it as a formula
        return cell

    def close(self) -> list[Path]:
        self._workbook.save(self._path)
        return [self._path]


class CsvWriter:
    """CSV parts `stem`.csv (or `stem`_part1.csv, `stem`_part2.csv, ... when one part
    would pass `part_bytes`); see the module docstring."""

    def __init__(
        self, folder: Path, stem: str, columns: Sequence[Column], *, part_bytes: int
    ) -> None:
        self._folder = folder
        self._stem = stem
        self._limit = part_bytes
        self._guarded = [index for index, column in enumerate(columns) if column.free_text]
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, delimiter=";")
        self._header = codecs.BOM_UTF8 + self._encode([[column.name for column in columns]])
        if len(self._header) >= part_bytes:
            raise RowTooLarge("the header alone fills a part")
        self._parts: list[Path] = []
        self._file: io.BufferedWriter | None = None
        self._size = 0

    def write(self, rows: Iterable[Sequence[Cell]]) -> int:
        guarded = [self._guard(row) for row in rows]
        if self._file is None:
            self._next_part()
        data = self._encode(guarded)
        if self._size + len(data) <= self._limit:
            self._put(data)  # the usual case: the whole batch fits
            return len(guarded)
        for row in guarded:
            line = self._encode([row])
            if self._size + len(line) > self._limit:
                self._next_part()
                if self._size + len(line) > self._limit:
                    raise RowTooLarge(f"a row of {len(line)} bytes")
            self._put(line)
        return len(guarded)

    def close(self) -> list[Path]:
        if self._file is None:
            self._next_part()  # a table without rows still has its header
        assert self._file is not None
        self._file.close()
        if len(self._parts) > 1:
            return self._parts
        return [self._parts[0].rename(self._folder / f"{self._stem}.csv")]

    def _guard(self, row: Sequence[Cell]) -> Sequence[Cell]:
        """The row with typed text that starts like a formula kept as text (see
        `as_text_cell`)."""
        guarded: list[Cell] | None = None
        for index in self._guarded:
            value = row[index]
            if isinstance(value, str) and value != (safe := as_text_cell(value)):
                guarded = guarded or list(row)
                guarded[index] = safe
        return guarded if guarded is not None else row

    def _encode(self, rows: Iterable[Sequence[Cell]]) -> bytes:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._csv.writerows(rows)
        return self._buffer.getvalue().encode("utf-8")

    def _put(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self._size += len(data)

    def _next_part(self) -> None:
        if self._file is not None:
            self._file.close()
        path = self._folder / f"{self._stem}_part{len(self._parts) + 1}.csv"
        self._parts.append(path)
        self._file = path.open("wb")
        self._size = 0
        self._put(self._header)
