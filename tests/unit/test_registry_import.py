"""The registry import's pure parts: reading a sheet, checking rows, reading CSV and XLSX."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest
from openpyxl import Workbook

from bot.config import LOCALES_DIR
from bot.domain.catalog import Level, Theme
from bot.domain.links import PageLink, Platform
from bot.domain.registry_import import (
    MAX_ROWS,
    AdminRef,
    Cell,
    FileProblem,
    FileRefused,
    ImportRow,
    Problem,
    RowProblem,
    SourceRow,
    Vocabulary,
    check_rows,
    judge,
    normalise,
    parse_admins,
    parse_cell_figure,
    read_sheet,
)
from bot.i18n import build_i18n, speaking
from bot.services.registry_files import csv_bytes, read_rows, template_csv
from bot.texts.registry_import import file_refusal

VOCABULARY = Vocabulary.build(
    [(1, ["region", "Региональный уровень", "Regional level"]), (2, ["penza", "город Пенза"])],
    {Level.REGIONAL: ["Региональный", "Regional"], Level.MUNICIPAL: ["Муниципальный"]},
    {Theme.YOUTH: ["Молодёжь", "Youth"], Theme.OTHER: ["Другое", "Other"]},
    {Platform.VK: ["ВКонтакте", "VK"], Platform.OTHER: ["Other site"]},
)


def row(line: int, link: Cell = "https://vk.com/a", **cells: Cell) -> SourceRow:
    values: dict[str, Cell] = {
        "title": "Страница",
        "territory": "penza",
        "level": "regional",
        "theme": "youth",
        **cells,
    }
    return SourceRow(line, link, **values)


def test_names_are_compared_trimmed_caseless_and_with_yo_as_ye() -> None:
    assert normalise("  Молодёжь\u00a0 И  спорт ") == "молодежь и спорт"
    assert VOCABULARY.themes[normalise("МОЛОДЕЖЬ")] is Theme.YOUTH
    assert VOCABULARY.levels["regional"] is Level.REGIONAL  # the code
    assert VOCABULARY.territories[normalise("Город  Пенза")] == 2


def test_a_name_two_values_share_is_accepted_for_neither() -> None:
    vocabulary = Vocabulary.build([(1, ["a", "Центр"]), (2, ["b", "центр"])], {}, {}, {})
    assert "центр" not in vocabulary.territories
    assert vocabulary.territories["a"] == 1


def test_the_header_is_the_first_non_blank_row_in_any_case_and_order() -> None:
    rows = read_sheet(
        [
            (1, [None, ""]),
            (2, ["Theme", " TITLE ", "\ufefflink", "level", "extra", "Territory", "figure"]),
            (3, ["youth", "Т", "vk.com/a", "regional", 1, "penza", 5]),
            (4, ["", None, " "]),
            (5, ["youth", "Т2"]),
        ]
    )
    assert rows == [
        SourceRow(3, "vk.com/a", "Т", "penza", "regional", "youth", None, 5),
        SourceRow(5, None, "Т2", None, None, "youth"),
    ]


def test_missing_columns_are_named_in_the_template_order() -> None:
    with pytest.raises(FileRefused) as refused:
        read_sheet([(1, ["theme", "admin", "link"])])
    assert (refused.value.problem, refused.value.detail) == (
        FileProblem.MISSING_COLUMNS,
        "title, territory, level",
    )
    with pytest.raises(FileRefused) as empty:
        read_sheet([(1, []), (2, [None])])
    assert empty.value.problem is FileProblem.EMPTY


def test_too_many_rows_are_refused() -> None:
    header = (1, ["link", "title", "territory", "level", "theme"])
    body = ((n, ["x"]) for n in range(2, MAX_ROWS + 3))
    with pytest.raises(FileRefused) as refused:
        read_sheet([header, *body])
    assert refused.value.problem is FileProblem.TOO_MANY_ROWS


def test_a_good_row_becomes_a_page() -> None:
    checked = check_rows(
        [
            row(
                2,
                "https://m.vk.com/Club1",
                title="  Дом   культуры ",
                admin="@Ivan; 42",
                figure="12 345",
            )
        ],
        VOCABULARY,
    )
    assert checked.problems == []
    assert checked.rows == [
        ImportRow(
            line=2,
            link=PageLink("https://vk.com/Club1", "vk.com/club1", Platform.VK),
            platform=Platform.VK,
            title="Дом культуры",
            territory_id=2,
            level=Level.REGIONAL,
            theme=Theme.YOUTH,
            admins=(AdminRef(username="Ivan"), AdminRef(user_id=42)),
            figure=12345,
        )
    ]


def test_every_problem_of_a_row_is_listed_in_column_order() -> None:
    checked = check_rows(
        [
            row(
                7,
                "vk.com",
                title="",
                territory="Марс",
                level=None,
                theme="Погода",
                admin="@x",
                figure="1,5",
            )
        ],
        VOCABULARY,
    )
    assert checked.rows == []
    assert checked.problems == [
        RowProblem(7, Problem.BAD_LINK, "vk.com"),
        RowProblem(7, Problem.NO_TITLE),
        RowProblem(7, Problem.UNKNOWN_TERRITORY, "Марс"),
        RowProblem(7, Problem.UNKNOWN_LEVEL),
        RowProblem(7, Problem.UNKNOWN_THEME, "Погода"),
        RowProblem(7, Problem.BAD_ADMIN, "@x"),
        RowProblem(7, Problem.BAD_FIGURE, "1,5"),
    ]


def test_the_first_of_duplicates_is_kept_and_the_registered_are_judged() -> None:
    checked = check_rows(
        [
            row(2, "https://vk.com/a"),
            row(3, "vk.com/b", territory="Марс"),
            row(4, "VK.COM/A/"),
            row(5, "https://vk.com/b"),
            row(6, "https://vk.com/c"),
        ],
        VOCABULARY,
    )
    assert [r.line for r in checked.rows] == [2, 6]
    assert checked.link_keys == {"vk.com/a", "vk.com/b", "vk.com/c"}
    verdict = judge(checked, {"vk.com/b": "Бэ", "vk.com/c": "Цэ"})
    assert [r.line for r in verdict.rows] == [2]
    assert verdict.problems == [
        RowProblem(3, Problem.REGISTERED, "Бэ"),
        RowProblem(3, Problem.UNKNOWN_TERRITORY, "Марс"),
        RowProblem(4, Problem.DUPLICATE, "VK.COM/A/", first_line=2),
        RowProblem(5, Problem.DUPLICATE, "https://vk.com/b", first_line=3),
        RowProblem(6, Problem.REGISTERED, "Цэ"),
    ]
    assert (verdict.total, verdict.bad_rows) == (5, 4)


def test_a_link_to_another_site_takes_the_platform_column_or_other() -> None:
    checked = check_rows(
        [row(2, "https://example.org/p", platform="ВКонтакте"), row(3, "example.org/q")],
        VOCABULARY,
    )
    assert [r.platform for r in checked.rows] == [Platform.VK, Platform.OTHER]


def test_long_values_are_quoted_short() -> None:
    [problem] = check_rows([row(2, territory="Т" * 100)], VOCABULARY).problems
    assert problem.value == "Т" * 59 + "…"
    [long_title] = check_rows([row(2, title="Я" * 201)], VOCABULARY).problems
    assert long_title.problem is Problem.LONG_TITLE


@pytest.mark.parametrize(
    ("cell", "refs"),
    [
        (None, ()),
        ("", ()),
        ("@ivan_petrov", (AdminRef(username="ivan_petrov"),)),
        ("ivan_petrov, 123", (AdminRef(username="ivan_petrov"), AdminRef(user_id=123))),
        (
            "https://t.me/ivan_petrov 123 123",
            (AdminRef(username="ivan_petrov"), AdminRef(user_id=123)),
        ),
        (123456789, (AdminRef(user_id=123456789),)),
        (123456789.0, (AdminRef(user_id=123456789),)),
    ],
)
def test_administrators_are_usernames_or_ids(cell: Cell, refs: tuple[AdminRef, ...]) -> None:
    assert parse_admins(cell) == refs


@pytest.mark.parametrize("cell", ["иван", "@abc", "0", "9" * 20, "@ivan, петя", 1.5, "a-b-c-d"])
def test_anything_else_is_a_bad_administrator(cell: Cell) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_admins(cell)


@pytest.mark.parametrize(
    ("cell", "figure"),
    [
        (None, None),
        ("", None),
        (" ", None),
        (12345, 12345),
        (12345.0, 12345),
        ("12 345", 12345),
        ("12\u00a0345", 12345),
        ("12345", 12345),
        ("0", 0),
        ("12,3 тыс", 12300),
    ],
)
def test_figures_as_numbers_or_as_typed(cell: Cell, figure: int | None) -> None:
    assert parse_cell_figure(cell) == figure


@pytest.mark.parametrize("cell", ["много", "12.3", "-5", -5, 1.5, 2_000_000_000, "2026-01-01"])
def test_anything_else_is_a_bad_figure(cell: Cell) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_cell_figure(cell)


def test_a_kept_row_comes_back_the_same() -> None:
    kept = SourceRow(9, "vk.com/a", "Т", "penza", "regional", "youth", 42, 12.5, "vk")
    assert SourceRow.from_json(kept.to_json()) == kept
    with pytest.raises(ValueError, match="stored"):
        SourceRow.from_json(["x", 1])


# -------------------------------------------------------------------- files


def test_a_csv_in_utf8_with_or_without_bom_any_delimiter() -> None:
    text = 'link;title\r\n"vk.com/a";"Музей; филиал\nцентр"\r\n\r\n'
    for data in (text.encode("utf-8"), codecs.BOM_UTF8 + text.encode("utf-8")):
        assert list(read_rows(data)) == [
            (1, ["link", "title"]),
            (2, ["vk.com/a", "Музей; филиал\nцентр"]),
            (3, []),
        ]
    assert list(read_rows(b"link,title\nvk.com/a,A\n")) == [
        (1, ["link", "title"]),
        (2, ["vk.com/a", "A"]),
    ]
    assert list(read_rows(b"\nlink\ttitle\nvk.com/a\tA\n"))[1] == (2, ["link", "title"])


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("ссылка;название\n".encode("cp1251"), "Windows-1251"),
        ("link;title\n".encode("utf-16"), "UTF-16"),
        ("link;title;café\n".encode("latin-1"), "Windows-1251"),  # read as Cyrillic: named so
        (b"link;title\n\x98\xff", ""),
    ],
)
def test_a_csv_not_in_utf8_is_refused_with_its_encoding(data: bytes, encoding: str) -> None:
    with pytest.raises(FileRefused) as refused:
        read_rows(data)
    assert (refused.value.problem, refused.value.detail) == (FileProblem.ENCODING, encoding)


def test_xlsx_cells_keep_text_as_text_and_dates_become_text() -> None:
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["link", "figure", "date", "flag"])
    sheet.append(["vk.com/a", "12 345", dt.datetime(2026, 9, 1, 10, 30), True])
    sheet.append([None, 5000, dt.date(2026, 9, 2), None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert list(read_rows(buffer.getvalue())) == [
        (1, ["link", "figure", "date", "flag"]),
        (2, ["vk.com/a", "12 345", "2026-09-01T10:30:00", "TRUE"]),
        (3, [None, 5000, "2026-09-02T00:00:00"]),  # trailing empty cells are not written
    ]


def test_other_files_are_refused_by_what_they_are() -> None:
    with pytest.raises(FileRefused) as old:
        read_rows(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert old.value.problem is FileProblem.OLD_EXCEL
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with pytest.raises(FileRefused) as broken:
        list(read_rows(archive.getvalue()))
    assert (broken.value.problem, broken.value.detail) == (FileProblem.UNREADABLE, "xlsx")


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"link;title\n\x00\x01\x02\x00\xff binary",
        b"link;title\x03\x04\n",
    ],
    ids=["pdf", "png", "zero-bytes", "control-bytes"],
)
def test_a_file_that_is_not_text_is_refused_as_no_csv_or_xlsx(data: bytes) -> None:
    with pytest.raises(FileRefused) as refused:
        read_rows(data)
    assert (refused.value.problem, refused.value.detail) == (FileProblem.UNREADABLE, "")
    with speaking(build_i18n(LOCALES_DIR, "en"), "en"):
        assert file_refusal(refused.value.problem, refused.value.detail).startswith(
            "This is not a CSV or XLSX file."
        )


def test_utf16_without_a_bom_is_still_named() -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        with pytest.raises(FileRefused) as refused:
            read_rows("ссылка;title\n".encode(encoding))
        assert (refused.value.problem, refused.value.detail) == (FileProblem.ENCODING, "UTF-16")


def test_written_csv_opens_in_excel_with_cyrillic() -> None:
    data = csv_bytes(["a", "b"], [["Пенза", 'x;"y"']])
    assert data == codecs.BOM_UTF8 + 'a;b\r\nПенза;"x;""y"""\r\n'.encode()
    assert list(read_rows(template_csv())) == [
        (1, ["link", "title", "territory", "level", "theme", "admin", "figure"])
    ]
