"""The check-in code's shape and reading, and the window it works in."""

from __future__ import annotations

import pytest

from bot.domain.attendance import (
    CHECKIN_ALPHABET,
    CHECKIN_CODE_LENGTH,
    CheckinRules,
    CheckinWindow,
    checkin_payload,
    new_checkin_code,
    normalize_checkin_code,
)
from bot.domain.deeplinks import is_start_payload


def test_codes_are_random_unambiguous_and_fit_a_start_link() -> None:
    codes = {new_checkin_code() for _ in range(200)}
    assert len(codes) == 200  # 29**6 codes: a repeat in 200 would be a broken generator
    for code in codes:
        assert len(code) == CHECKIN_CODE_LENGTH
        assert set(code) <= set(CHECKIN_ALPHABET)
        assert normalize_checkin_code(code) == code
        assert is_start_payload(checkin_payload(code))
    assert not set("0O1IL") & set(CHECKIN_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("K7M2QX", "K7M2QX"),
        (" k7m 2qx ", "K7M2QX"),
        ("K7M-2QX", "K7M2QX"),
        ("K7M2Q", None),  # too short
        ("K7M2QXA", None),  # too long
        ("K0M2QX", None),  # 0 is never in a code
        ("К7М2QХ", None),  # Cyrillic look-alikes
        ("", None),
    ],
)
def test_a_typed_code_is_read_forgivingly_but_never_guessed(typed: str, code: str | None) -> None:
    assert normalize_checkin_code(typed) == code


def test_the_window_opens_before_the_start_and_closes_after_the_end() -> None:
    rules = CheckinRules(opens_minutes=30, closes_minutes=60)
    assert rules.window(10_000, 13_600) == CheckinWindow(10_000 - 1_800, 13_600 + 3_600)
    assert CheckinRules(0, 0).window(5, 7) == CheckinWindow(5, 7)
