import pytest

from bot.domain.figures import (
    MAX_FIGURE,
    FigureError,
    FigureErrorReason,
    needs_confirmation,
    parse_figure,
)
from tests.checks import cases, raised

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
        ("12.", 12),
        ("12 тыс..", 12000),
        # Word multipliers in all their forms.
        ("12 тысяч", 12_000),
        ("12тысяч", 12_000),
        ("22 тысячи", 22_000),
        ("1 тысяча", 1_000),
        ("12 тыщ", 12_000),
        ("12,5 тысяч", 12_500),
        ("12,5 ТЫСЯЧ", 12_500),
        ("12 thousand", 12_000),
        ("12.5 Thousand", 12_500),
        ("1 миллион", 1_000_000),
        ("1,5 миллиона", 1_500_000),
        ("5 миллионов", 5_000_000),
        ("1.2 million", 1_200_000),
        ("1.2 mln", 1_200_000),
        ("3 mn", 3_000_000),
        ("1 млрд", MAX_FIGURE),
        # A word for what is counted may follow.
        ("13 000 подписчиков", 13_000),
        ("1 подписчик", 1),
        ("2 подписчика", 2),
        ("13 000 подписчики", 13_000),
        ("13000подписчиков", 13_000),
        ("12 тыс. подписчиков", 12_000),
        ("12 тыс.подписчиков", 12_000),
        ("12,5 тысяч участников", 12_500),
        ("500 чел.", 500),
        ("500 чел", 500),
        ("500 человек", 500),
        ("13,000 subscribers", 13_000),
        ("1 subscriber", 1),
        ("12k members", 12_000),
        ("1.2 million followers", 1_200_000),
        ("300 people", 300),
        # Sentence punctuation at the end is ignored.
        ("13 300.", 13_300),
        ("13 300!", 13_300),
        ("13 300,", 13_300),
        ("13 300;", 13_300),
        ("13 300…", 13_300),
        ("13 300 .", 13_300),
        ("13.300.", 13_300),
        ("12 тыс.", 12_000),
        ("13 000 подписчиков.", 13_000),
        ("12 k!!", 12_000),
        # A sign of approximation before the number is ignored.
        ("≈13 400", 13_400),
        ("≈ 13 400", 13_400),
        ("~13400", 13_400),
        ("∼ 13 400", 13_400),
        ("около 13 400", 13_400),
        ("Около 13 тыс.", 13_000),
        ("ок. 13 400", 13_400),
        ("ок.13 400", 13_400),
        ("примерно 13 400 подписчиков", 13_400),
        ("приблизительно 13,4 тыс", 13_400),
        ("порядка 13 тысяч", 13_000),
        ("где-то 13 400", 13_400),
        ("about 13,400", 13_400),
        ("approx. 13.4k", 13_400),
        ("around 13 400 members", 13_400),
        ("≈ +13 400", 13_400),
        ("+13 400", 13_400),
    ],
)
def test_parse_figure_accepts(text: str, expected: int) -> None:
    assert parse_figure(text) == expected


#: Refused texts, by the reason given.
REFUSED: dict[FigureErrorReason, list[str]] = {
    R.EMPTY: ["", "   ", "\u00a0\n"],
    R.NO_DIGITS: ["abc", "тыс", "k", "+", "-abc", "двенадцать тысяч", "."],
    R.UNKNOWN_WORDS: ["12abc", "1e6", "0x10", "++5", "12 kk", "12\t345"],
    R.MALFORMED: [".5k", "1,,234", "12  345", "١٢٣"],
    R.NEGATIVE: ["-5", "\u22125", "\u20135", "- 1 234", "-0.5k", "-99999999999999"],
    R.TOO_LARGE: ["1000000001", "1 000 000 001", "1001 млн", "1000000,001 тыс", "9" * 5000],
    R.FRACTIONAL: ["1,2345 тыс", "0.0001k", "1,0000005 млн", "1." + "0" * 40 + "1k"],
    R.AMBIGUOUS: [
        "12.3",
        "12,34",
        "1.5",
        "1.234,567",
        "1 234.567",
        "1234.567",
        "1.2345",
        "12 34",
        "1.234.5 тыс",
        "1.234,5 тыс",
    ],
}

#: The same refusals hold in the forms with words, signs and sentence punctuation.
REFUSED_WITH_WORDS: dict[FigureErrorReason, list[str]] = {
    R.NEGATIVE: ["около -5", "-13 000 подписчиков"],
    R.TOO_LARGE: ["2 миллиарда", "1,5 млрд", "1001 миллион подписчиков"],
    R.FRACTIONAL: ["1,2345 тыс.", "1,2345 тысяч подписчиков.", "≈1,2345 тыс", "1.0000001 million"],
    R.AMBIGUOUS: ["12.3 подписчиков", "≈12,34."],
}


@pytest.mark.parametrize(("text", "reason"), cases(REFUSED) + cases(REFUSED_WITH_WORDS))
def test_parse_figure_refuses(text: str, reason: FigureErrorReason) -> None:
    assert raised(FigureError, parse_figure, text).reason is reason


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f", "\u2009", "\u2007", "\u200a"])
def test_every_kind_of_space_separates_thousands_and_words(space: str) -> None:
    assert parse_figure(f"1{space}234{space}567") == 1_234_567
    assert parse_figure(f"≈{space}13{space}400{space}подписчиков.") == 13_400
    assert parse_figure(f"12,5{space}тыс.") == 12_500


@pytest.mark.parametrize(
    ("text", "understood", "unknown"),
    [
        ("13 000 яблок", "13 000", ("яблок",)),
        ("13 000 друзей", "13 000", ("друзей",)),
        ("13 000 подписчиков и 5 ботов", "13 000 подписчиков", ("и 5 ботов",)),
        ("12 тыс яблок", "12 тыс", ("яблок",)),
        ("12 тыс тыс", "12 тыс", ("тыс",)),
        ("12 тыс 500", "12 тыс", ("500",)),
        ("12 тысячь", "12", ("тысячь",)),
        ("12.3 тысячь", "12.3", ("тысячь",)),  # not "ambiguous": the unit was misspelt
        ("всего 13 000", "13 000", ("всего",)),
        ("более 13 000 подписчиков", "13 000 подписчиков", ("более",)),
        ("13 300?", "13 300", ("?",)),
        ("13 000+", "13 000", ("+",)),
        ("12–15 тыс", "12", ("–15 тыс",)),
        ("12abc", "12", ("abc",)),
        ("1e6", "1", ("e6",)),
        ("0x10", "0", ("x10",)),
        ("++5", "5", ("+",)),
        ("12 kk", "12", ("kk",)),
        ("12\t345", "12", ("345",)),
        ("-5 яблок", "5", ("яблок",)),
        # Several unknown words are named each; a long one is cut short.
        ("всего около 13 000 яблок", "13 000", ("всего", "яблок")),
        ("<b>13 000</b>", "13 000", ("<b>", "</b>")),
        ("13 000 " + "я" * 100, "13 000", ("я" * 39 + "…",)),
    ],
)
def test_unknown_words_are_refused_naming_them(
    text: str, understood: str, unknown: tuple[str, ...]
) -> None:
    refusal = raised(FigureError, parse_figure, text)
    assert refusal.reason is R.UNKNOWN_WORDS
    assert refusal.understood == understood
    assert refusal.unknown == unknown


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("12  345", "12  345"),
        ("1,,234 подписчиков", "1,,234"),
        (".5k", ".5"),
        ("١٢٣", "١٢٣"),
    ],
)
def test_digits_that_make_no_one_number_are_quoted(text: str, quoted: str) -> None:
    refusal = raised(FigureError, parse_figure, text)
    assert refusal.reason is R.MALFORMED
    assert refusal.unknown == (quoted,)


@pytest.mark.parametrize(
    "value", [0, 1, 7, 12, 999, 1_000, 12_345, 13_300, 100_000, 987_654, 1_234_567, MAX_FIGURE]
)
def test_a_figure_is_never_read_as_another_number(value: int) -> None:
    """Every usual way of writing one number reads back as exactly that number."""
    plain = str(value)
    grouped = f"{value:,}".replace(",", " ")
    writings = [
        plain,
        grouped,
        f"{value:,}",
        grouped.replace(" ", "\u00a0"),
        f"{grouped}.",
        f"{grouped} подписчиков",
        f"≈{grouped}",
        f"около {plain} подписчиков.",
        f"about {value:,} subscribers!",
        f"+{plain}",
    ]
    if value % 1_000 == 0:
        thousands = str(value // 1_000)
        writings += [f"{thousands} тыс.", f"{thousands} тысяч", f"{thousands}k", f"{thousands} K"]
    if value % 100 == 0 and value >= 1_000:
        decimal = f"{value / 1_000:.1f}"
        writings += [f"{decimal.replace('.', ',')} тыс", f"{decimal}k members"]
    assert [parse_figure(text) for text in writings] == [value] * len(writings), writings


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
