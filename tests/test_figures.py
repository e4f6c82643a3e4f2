import pytest

from bot.domain.figures import (
    MAX_FIGURE,
    FigureError,
    FigureErrorReason,
    needs_confirmation,
    parse_figure,
)

R = FigureErrorReason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12345", 12345),
        ("0", 0),
        ("007", 7),
        ("  42\n", 42),
        ("+15", 15),
        ("+ 15", 15),
        ("12 345", 12345),
        ("12\u00a0345", 12345),
        ("12\u202f345", 12345),
        ("12\u2009345", 12345),
        ("12'345", 12345),
        ("12\u2019345", 12345),
        ("12.345", 12345),
        ("12,345", 12345),
        ("1 234 567", 1234567),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("1 234\u00a0567", 1234567),
        ("12 тыс", 12000),
        ("12тыс.", 12000),
        ("12 ТЫС.", 12000),
        ("12т", 12000),
        ("12 т.", 12000),
        ("12k", 12000),
        ("12 K", 12000),
        ("12к", 12000),
        ("12 К.", 12000),
        ("12,3 тыс", 12300),
        ("12.3k", 12300),
        ("1,234 тыс", 1234),
        ("0.5k", 500),
        ("0,001k", 1),
        ("1,5 млн", 1500000),
        ("1.5M", 1500000),
        ("2 м", 2000000),
        ("2М", 2000000),
        ("1,234567 млн", 1234567),
        ("1 500 тыс", 1500000),
        ("1 234,5 тыс", 1234500),
        ("12,30000000000000000000000000000000000 тыс", 12300),
        ("1000000 тыс", MAX_FIGURE),
        ("1 млн.", 1_000_000),
        ("1000000000", MAX_FIGURE),
        ("-0", 0),
        ("+0k", 0),
        ("0" * 5000 + "5", 5),
    ],
)
def test_parse_figure_accepts(text: str, expected: int) -> None:
    assert parse_figure(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", R.EMPTY),
        ("   ", R.EMPTY),
        ("\u00a0\n", R.EMPTY),
        ("abc", R.NOT_A_NUMBER),
        ("12abc", R.NOT_A_NUMBER),
        ("1e6", R.NOT_A_NUMBER),
        ("0x10", R.NOT_A_NUMBER),
        ("тыс", R.NOT_A_NUMBER),
        ("k", R.NOT_A_NUMBER),
        ("+", R.NOT_A_NUMBER),
        ("++5", R.NOT_A_NUMBER),
        ("-abc", R.NOT_A_NUMBER),
        ("12.", R.NOT_A_NUMBER),
        (".5k", R.NOT_A_NUMBER),
        ("1,,234", R.NOT_A_NUMBER),
        ("12  345", R.NOT_A_NUMBER),
        ("12 тыс..", R.NOT_A_NUMBER),
        ("12 kk", R.NOT_A_NUMBER),
        ("12 тысяч", R.NOT_A_NUMBER),
        ("١٢٣", R.NOT_A_NUMBER),
        ("12\t345", R.NOT_A_NUMBER),
        ("-5", R.NEGATIVE),
        ("\u22125", R.NEGATIVE),
        ("\u20135", R.NEGATIVE),
        ("- 1 234", R.NEGATIVE),
        ("-0.5k", R.NEGATIVE),
        ("-99999999999999", R.NEGATIVE),
        ("1000000001", R.TOO_LARGE),
        ("1 000 000 001", R.TOO_LARGE),
        ("1001 млн", R.TOO_LARGE),
        ("1000000,001 тыс", R.TOO_LARGE),
        ("9" * 5000, R.TOO_LARGE),
        ("1,2345 тыс", R.FRACTIONAL),
        ("0.0001k", R.FRACTIONAL),
        ("1,0000005 млн", R.FRACTIONAL),
        ("1." + "0" * 40 + "1k", R.FRACTIONAL),
        ("12.3", R.AMBIGUOUS),
        ("12,34", R.AMBIGUOUS),
        ("1.5", R.AMBIGUOUS),
        ("1.234,567", R.AMBIGUOUS),
        ("1 234.567", R.AMBIGUOUS),
        ("1234.567", R.AMBIGUOUS),
        ("1.2345", R.AMBIGUOUS),
        ("12 34", R.AMBIGUOUS),
        ("1.234.5 тыс", R.AMBIGUOUS),
        ("1.234,5 тыс", R.AMBIGUOUS),
    ],
)
def test_parse_figure_refuses(text: str, reason: FigureErrorReason) -> None:
    with pytest.raises(FigureError) as caught:
        parse_figure(text)
    assert caught.value.reason is reason


def test_figure_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        parse_figure("12,3")


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        (None, 0, False),
        (None, 10**9, False),
        (0, 500, False),
        (1000, 1000, False),
        (1000, 500, False),
        (1000, 499, True),
        (1001, 500, True),
        (1001, 501, False),
        (1000, 0, True),
        (1000, 10000, False),
        (1000, 10001, True),
        (1, 10, False),
        (1, 11, True),
        (1, 0, True),
        (3, 1, True),
        (3, 2, False),
    ],
)
def test_needs_confirmation(previous: int | None, new: int, expected: bool) -> None:
    assert needs_confirmation(previous, new) is expected
