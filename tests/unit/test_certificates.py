"""Certificates without Telegram: their ids, the name printed on them, and the PDF."""

from __future__ import annotations

import re

import pytest

from bot.domain.certificates import (
    CERTIFICATE_ID_ALPHABET,
    CERTIFICATE_ID_LENGTH,
    NameProblem,
    certificate_id_of,
    certificate_payload,
    clean_name,
    name_problem,
    new_certificate_id,
)
from bot.domain.deeplinks import is_start_payload
from bot.domain.limits import CERTIFICATE_NAME
from bot.services.certificate_pdf import CertificateSheet, qr_png, render_certificate
from tests.checks import assert_png, cases
from tests.pdfs import font_names, pdf_objects, pdf_text, stream_of

LINK = "https://t.me/gospublic_test_bot?start=cert_ABCDEFGH23"


def sheet(
    name: str = "Иванова Мария Петровна", seminar: str = "SMM для госпабликов"
) -> CertificateSheet:
    return CertificateSheet(
        heading="СЕРТИФИКАТ",
        certifies="Настоящий сертификат подтверждает, что",
        name=name,
        attended="принял(а) участие в семинаре",
        seminar=seminar,
        when="21 сентября 2026 г.",
        hours="Объём: 2 академических часа",
        issuer="Пензенская область",
        id_line="Сертификат № ABCDEFGH23",
        verify="Проверить подлинность:",
        link=LINK,
    )


def test_ids_are_random_unambiguous_and_fit_a_start_link() -> None:
    drawn = {new_certificate_id() for _ in range(2_000)}
    assert len(drawn) == 2_000
    for code in drawn:
        assert len(code) == CERTIFICATE_ID_LENGTH
        assert set(code) <= set(CERTIFICATE_ID_ALPHABET)
        assert is_start_payload(certificate_payload(code))
        assert certificate_id_of(certificate_payload(code)) == code
    assert not set("01OIL") & set(CERTIFICATE_ID_ALPHABET)
    # Every character of the alphabet turns up: the draw is not stuck on a few.
    assert set("".join(drawn)) == set(CERTIFICATE_ID_ALPHABET)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("cert_ABCDEFGH23", "ABCDEFGH23"),
        ("cert_abcdefgh23", "ABCDEFGH23"),  # typed from paper in small letters
        ("cert_ABCDEFGH2", None),  # too short
        ("cert_ABCDEFGH234", None),  # too long
        ("cert_ABCDEFGH20", None),  # 0 is never used
        ("cert_", None),
        ("inv_ABCDEFGH23", None),
    ],
)
def test_a_payload_holds_an_id_or_nothing(payload: str, expected: str | None) -> None:
    assert certificate_id_of(payload) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    cases(
        {
            None: ["Иванова Мария Петровна", "O'Neil Mary-Ann", "Ян", "Ли 2-й"],
            NameProblem.EMPTY: ["", "   \n "],
            NameProblem.NO_LETTERS: ["12345", "-- !!", "😀"],
            NameProblem.TOO_LONG: ["Я" * (CERTIFICATE_NAME.max_length + 1)],
        }
    ),
)
def test_a_full_name_needs_letters_and_a_sensible_length(
    typed: str, problem: NameProblem | None
) -> None:
    assert name_problem(clean_name(typed)) is problem


def test_spaces_and_line_breaks_in_a_name_fold() -> None:
    assert clean_name("  Иванова \n Мария   Петровна ") == "Иванова Мария Петровна"
    assert name_problem("Я" * CERTIFICATE_NAME.max_length) is None


def test_the_pdf_prints_every_line_in_cyrillic_with_dejavu_sans() -> None:
    data = render_certificate(sheet())
    text = pdf_text(data)
    for line in sheet().__slots__:
        assert str(getattr(sheet(), line)) in text, line
    assert font_names(data) == {"DejaVuSansBook", "DejaVuSansBold"}
    objects = pdf_objects(data)
    [pages] = [body for body in objects.values() if b"/Type /Pages" in body]
    assert b"/Count 1" in pages
    # The QR code is drawn, and the printed link is a link too.
    assert any(b"/Subtype /Image" in body for body in objects.values())
    assert any(LINK.encode() in body and b"/URI" in body for body in objects.values())


def test_long_names_and_titles_shrink_and_stay_on_one_page() -> None:
    long = sheet(name="Щ" * CERTIFICATE_NAME.max_length, seminar="Ш" * 150)
    data = render_certificate(long)
    text = pdf_text(data)
    assert long.name in text.replace("\n", "")
    assert long.seminar in text.replace("\n", "")
    [pages] = [body for body in pdf_objects(data).values() if b"/Type /Pages" in body]
    assert b"/Count 1" in pages
    # No line of text starts over the QR code: each starts above it or right of it.
    [content] = [
        stream_of(objects[int(number)])
        for objects in [pdf_objects(data)]
        for body in objects.values()
        for number in re.findall(rb"/Contents (\d+) 0 R", body)
    ]
    [(side, _same, left, bottom)] = [
        tuple(map(float, found))
        for found in re.findall(rb"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm /I1 Do", content)
    ]
    starts = [tuple(map(float, xy)) for xy in re.findall(rb"BT ([\d.]+) ([\d.]+) Td", content)]
    assert len(starts) >= 12
    for x, y in starts:
        assert y > bottom + side or x >= left + side, (x, y)


def test_the_qr_code_is_a_png_of_the_link() -> None:
    width, height = assert_png(qr_png(LINK))
    assert width == height > 100
