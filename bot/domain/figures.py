"""Parsing of subscriber counts as people actually type them."""

from __future__ import annotations

import re
from decimal import Decimal, localcontext
from enum import StrEnum

MAX_FIGURE = 1_000_000_000


class FigureErrorReason(StrEnum):
    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    FRACTIONAL = "fractional"
    AMBIGUOUS = "ambiguous"


class FigureError(ValueError):
    def __init__(self, reason: FigureErrorReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


# Characters of one kind count as the same separator: phones and copied numbers
# mix ordinary and no-break spaces, and keyboards turn ' into ’, invisibly to the user.
_SEPARATOR_KINDS: dict[str, str] = {
    " ": "space",
    "\u00a0": "space",
    "\u202f": "space",
    "\u2009": "space",
    "'": "apostrophe",
    "\u2019": "apostrophe",
    ".": "dot",
    ",": "comma",
}
_DECIMAL_KINDS = frozenset({"dot", "comma"})

# Keyboards auto-replace a hyphen with an en dash, so it is read as a minus too.
_MINUS_SIGNS = frozenset({"-", "\u2212", "\u2013"})

_MULTIPLIERS: dict[str, int] = {
    "тыс": 1_000,
    "т": 1_000,
    "k": 1_000,
    "к": 1_000,
    "млн": 1_000_000,
    "m": 1_000_000,
    "м": 1_000_000,
}
_SUFFIX_RE = re.compile(r"(?P<body>.*?)\s*(?P<suffix>тыс|млн|т|k|к|m|м)\.?", re.IGNORECASE)
_TOKEN_RE = re.compile(r"[0-9]+|.", re.DOTALL)

# Anything with more significant digits is far above MAX_FIGURE even after the
# largest multiplier; stopping here also keeps int() away from its digit limit.
_MAX_SIGNIFICANT_DIGITS = 16


def parse_figure(text: str) -> int:
    """Read a subscriber count such as "12 345", "12,3 тыс" or "1.5k"."""
    body = text.strip()
    if not body:
        raise FigureError(FigureErrorReason.EMPTY)
    negative = False
    if body[0] == "+" or body[0] in _MINUS_SIGNS:
        negative = body[0] != "+"
        body = body[1:].lstrip()
    value = _parse_unsigned(body)
    # The number is read in full first, so "-abc" is reported as not a number.
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


def _parse_unsigned(text: str) -> int:
    match = _SUFFIX_RE.fullmatch(text)
    if match is None:
        return _whole_number(*_split_groups(text))
    multiplier = _MULTIPLIERS[match["suffix"].lower()]
    groups, kinds = _split_groups(match["body"])
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
            raise FigureError(FigureErrorReason.NOT_A_NUMBER)
        expect_digits = not expect_digits
    if expect_digits:
        # Empty text or a trailing separator ("12.", "5 тыс" with nothing before it).
        raise FigureError(FigureErrorReason.NOT_A_NUMBER)
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
