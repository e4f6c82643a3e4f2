"""Parsing of subscriber counts as people actually type them."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from enum import StrEnum

MAX_FIGURE = 1_000_000_000
#: The longest piece of the user's text a refusal quotes; longer pieces are cut with "…".
QUOTE_LIMIT = 40


class FigureErrorReason(StrEnum):
    """Why a text is not a figure. Each reason has its own answer to the user."""

    EMPTY = "empty"  # nothing but spaces
    NO_DIGITS = "no_digits"  # no number written in digits 0-9: "abc", "двенадцать"
    MALFORMED = "malformed"  # digits that do not make one number: "12  345", "1,,234", "١٢٣"
    UNKNOWN_WORDS = "unknown_words"  # a number, and words around it that are not understood
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"  # above MAX_FIGURE
    FRACTIONAL = "fractional"  # "1,2345 тыс" is not a whole number of subscribers
    AMBIGUOUS = "ambiguous"  # "12.3": a decimal point or a thousands separator


class FigureError(ValueError):
    """A text refused as a figure.

    `reason` says why. For UNKNOWN_WORDS, `understood` is the number as typed ("13 000",
    "12 тыс") and `unknown` the pieces of the text that were not understood, as typed
    (("яблок",), or ("всего", "яблок") around the number); for MALFORMED, `unknown` holds
    the digits that do not make one number. Both are the user's raw text (not HTML-escaped),
    each cut to QUOTE_LIMIT characters; for the other reasons they are empty."""

    def __init__(
        self,
        reason: FigureErrorReason,
        *,
        understood: str = "",
        unknown: tuple[str, ...] = (),
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.understood = _excerpt(understood)
        self.unknown = tuple(_excerpt(piece) for piece in unknown)


# Characters of one kind count as the same separator: phones and copied numbers
# mix ordinary, no-break, narrow, thin and figure spaces, and keyboards turn ' into ’,
# invisibly to the user.
_SEPARATOR_KINDS: dict[str, str] = {
    " ": "space",
    "\u00a0": "space",
    "\u202f": "space",
    "\u2009": "space",
    "\u2007": "space",
    "\u200a": "space",
    "'": "apostrophe",
    "\u2019": "apostrophe",
    ".": "dot",
    ",": "comma",
}
_DECIMAL_KINDS = frozenset({"dot", "comma"})
_LEADING_MARKS = frozenset({".", ",", "'", "\u2019"})

# Keyboards auto-replace a hyphen with an en dash, so it is read as a minus too.
_MINUS_SIGNS = frozenset({"-", "\u2212", "\u2013"})
_SIGNS = _MINUS_SIGNS | {"+"}

# "≈13 400", "около 13 400": the figure reported is the number written.
_APPROXIMATE_SIGNS = frozenset({"≈", "~", "∼", "≃"})
_APPROXIMATE_WORDS = frozenset(
    {
        "около",
        "ок",
        "примерно",
        "прим",
        "приблизительно",
        "порядка",
        "где-то",
        "about",
        "approx",
        "approximately",
        "around",
        "roughly",
        "circa",
        "ca",
    }
)

# Looked up lower-case, with one abbreviation dot dropped: "тыс." is "тыс".
_MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys(
        (
            "т",
            "тыс",
            "тысяча",
            "тысячи",
            "тысяч",
            "тысячу",
            "тыщ",
            "тыща",
            "тыщи",
            "тыщу",
            "к",
            "k",
            "thousand",
            "thousands",
        ),
        1_000,
    ),
    **dict.fromkeys(
        (
            "м",
            "млн",
            "миллион",
            "миллиона",
            "миллионов",
            "миллионы",
            "m",
            "mln",
            "mn",
            "million",
            "millions",
        ),
        1_000_000,
    ),
    # Always too large but for "1 млрд"; read, so the answer says so rather than "not understood".
    **dict.fromkeys(
        ("млрд", "миллиард", "миллиарда", "миллиардов", "bn", "billion", "billions"),
        1_000_000_000,
    ),
}

# What is counted, after the number: "13 000 подписчиков", "12k members".
_UNITS = frozenset(
    {
        "подписчик",
        "подписчика",
        "подписчиков",
        "подписчики",
        "подп",
        "участник",
        "участника",
        "участников",
        "участники",
        "человек",
        "человека",
        "чел",
        "людей",
        "subscriber",
        "subscribers",
        "subs",
        "member",
        "members",
        "follower",
        "followers",
        "people",
    }
)

# Sentence punctuation after the figure: "13 300.", "13 300!".
_TRAILING_RE = re.compile(r"[\s.!,;…]+\Z")
# A word (letters, maybe hyphenated, maybe an abbreviation dot) or any other single character.
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*\.?|\S")
_TOKEN_RE = re.compile(r"[0-9]+|.", re.DOTALL)

# Anything with more significant digits is far above MAX_FIGURE even after the
# largest multiplier; stopping here also keeps int() away from its digit limit.
_MAX_SIGNIFICANT_DIGITS = 16


def parse_figure(text: str) -> int:
    """Read a subscriber count as people type it; returns the count, 0..MAX_FIGURE.

    Understood: digits grouped by one space of any kind (ordinary, no-break, narrow,
    thin, figure), an apostrophe, a dot or a comma ("12 345", "12.345"); a multiplier
    in Russian or English, with a decimal fraction before it ("12 тыс", "12,5 тысяч",
    "1.5k", "2 миллиона", "1.2 million"); a word for what is counted after it ("13 000
    подписчиков", "12k members", "500 чел."); sentence punctuation at the end ("13 300.");
    a sign or a word of approximation before it ("+15", "≈13 400", "около 13 400",
    "about 13,400"): the number written is the figure.

    Raises FigureError, whose reason is EMPTY, NO_DIGITS, MALFORMED ("12  345"),
    UNKNOWN_WORDS ("13 000 яблок", with what was and what was not understood),
    AMBIGUOUS ("12.3"), FRACTIONAL ("1,2345 тыс"), NEGATIVE or TOO_LARGE. A text is
    never read as a number other than the one written."""
    if not text.strip():
        raise FigureError(FigureErrorReason.EMPTY)
    body = _TRAILING_RE.sub("", text.strip())
    first_digit = next((i for i, char in enumerate(body) if "0" <= char <= "9"), None)
    if first_digit is None:
        if any(char.isdecimal() for char in body):
            # Digits of another script, e.g. "٣": not read, but not "no number" either.
            raise FigureError(FigureErrorReason.MALFORMED, unknown=(body,))
        raise FigureError(FigureErrorReason.NO_DIGITS)

    start = first_digit
    # ".5k": a mark glued in front of the digits belongs to them (and is refused), unless
    # it ends an abbreviation ("ок.13 400").
    while (
        start > 0
        and body[start - 1] in _LEADING_MARKS
        and (start == 1 or not body[start - 2].isalpha())
    ):
        start -= 1
    end = first_digit
    while end < len(body) and (body[end] in _SEPARATOR_KINDS or "0" <= body[end] <= "9"):
        end += 1
    while body[end - 1] in _SEPARATOR_KINDS:  # "13 000 подписчиков": the space is not a group
        end -= 1
    digits = body[start:end]

    negative, before = _read_prefix(body[:start])
    multiplier, understood_end, after = _read_suffix(body, end)
    groups, kinds = _split_groups(digits)
    unknown = tuple(piece for piece in (before, after) if piece)
    if unknown:
        raise FigureError(
            FigureErrorReason.UNKNOWN_WORDS, understood=body[start:understood_end], unknown=unknown
        )

    value = _value(groups, kinds, multiplier)
    # The number is read in full first, so "-12.3" is reported as ambiguous.
    if negative and value > 0:
        raise FigureError(FigureErrorReason.NEGATIVE)
    if value > MAX_FIGURE:
        raise FigureError(FigureErrorReason.TOO_LARGE)
    return value


def needs_confirmation(previous: int | None, new: int) -> bool:
    """Whether a new figure differs from the last one enough to suspect a typo."""
    if not previous:
        return False
    return new * 2 < previous or new > previous * 10


def _normalised(word: str) -> str:
    return word.lower().removesuffix(".")


def _read_prefix(prefix: str) -> tuple[bool, str]:
    """What stands before the digits: whether there is a minus, and the text (as typed)
    that is neither a sign nor a word of approximation, "" if none."""
    tokens = list(_WORD_RE.finditer(prefix))
    negative = False
    if tokens and tokens[-1][0] in _SIGNS:
        negative = tokens.pop()[0] in _MINUS_SIGNS
    unknown_end = 0
    for token in tokens:
        word = token[0]
        if word not in _APPROXIMATE_SIGNS and _normalised(word) not in _APPROXIMATE_WORDS:
            unknown_end = token.end()
    return negative, prefix[:unknown_end].strip()


def _read_suffix(body: str, start: int) -> tuple[int | None, int, str]:
    """What follows the digits at `start`: the multiplier (None without one), where the
    understood text ends, and the rest (as typed) that is not understood, "" if none."""
    multiplier: int | None = None
    understood_end = start
    unit_seen = False
    for token in _WORD_RE.finditer(body, start):
        word = _normalised(token[0])
        if multiplier is None and not unit_seen and word in _MULTIPLIERS:
            multiplier = _MULTIPLIERS[word]
        elif not unit_seen and word in _UNITS:
            unit_seen = True
        else:
            return multiplier, understood_end, body[token.start() :].strip()
        understood_end = token.end()
    return multiplier, understood_end, ""


def _value(groups: list[str], kinds: list[str], multiplier: int | None) -> int:
    if multiplier is None:
        return _whole_number(groups, kinds)
    if kinds and kinds[-1] in _DECIMAL_KINDS:
        if _DECIMAL_KINDS.intersection(kinds[:-1]):
            # In "1.234,5 тыс" or "1.234.5 тыс" either mark could be the decimal one.
            raise FigureError(FigureErrorReason.AMBIGUOUS)
        integer = _whole_number(groups[:-1], kinds[:-1])
        fraction = groups[-1]
    else:
        integer = _whole_number(groups, kinds)
        fraction = ""
    return _scale(integer, fraction, multiplier)


def _split_groups(text: str) -> tuple[list[str], list[str]]:
    """Split "1 234 567" into digit groups and the separator kinds between them."""
    groups: list[str] = []
    kinds: list[str] = []
    expect_digits = True
    for token in _TOKEN_RE.findall(text):
        # isdigit() alone would also let through digits of other scripts, e.g. "٣".
        if expect_digits and token.isascii() and token.isdigit():
            groups.append(token)
        elif not expect_digits and token in _SEPARATOR_KINDS:
            kinds.append(_SEPARATOR_KINDS[token])
        else:
            # Two separators in a row ("12  345", "1,,234") or one in front (".5").
            raise FigureError(FigureErrorReason.MALFORMED, unknown=(text,))
        expect_digits = not expect_digits
    if expect_digits:
        raise FigureError(FigureErrorReason.MALFORMED, unknown=(text,))
    return groups, kinds


def _whole_number(groups: list[str], kinds: list[str]) -> int:
    if not kinds:
        return _to_int(groups[0])
    if len(set(kinds)) > 1:
        # "1.234,567" reads differently in different locales.
        raise FigureError(FigureErrorReason.AMBIGUOUS)
    if not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
        # "12.3" or "12,34" could be a decimal fraction or a mistyped thousand.
        raise FigureError(FigureErrorReason.AMBIGUOUS)
    return _to_int("".join(groups))


def _to_int(digits: str) -> int:
    significant = digits.lstrip("0")
    if len(significant) > _MAX_SIGNIFICANT_DIGITS:
        return MAX_FIGURE + 1
    return int(significant or "0")


def _scale(integer: int, fraction: str, multiplier: int) -> int:
    if integer > MAX_FIGURE:
        return MAX_FIGURE + 1
    fraction = fraction.rstrip("0")
    if len(fraction) > _MAX_SIGNIFICANT_DIGITS:
        # No multiplier makes "0,000…01 тыс" whole; the cut keeps the precision bounded.
        raise FigureError(FigureErrorReason.FRACTIONAL)
    amount = Decimal(f"{integer}.{fraction or '0'}")
    with localcontext() as context:
        # Enough digits that the product is never rounded into a whole number.
        context.prec = 2 * _MAX_SIGNIFICANT_DIGITS + 10
        value = amount * multiplier
    if value != value.to_integral_value():
        raise FigureError(FigureErrorReason.FRACTIONAL)
    return int(value)


def _excerpt(text: str) -> str:
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"
