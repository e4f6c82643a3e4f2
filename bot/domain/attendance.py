"""Attendance at seminars: the self check-in code, its /start payload and its window."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

#: Letters and digits no one misreads off a slide: no 0/O, 1/I/L, nor U/V.
CHECKIN_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
#: 29 ** 6 ≈ 595 million codes: one guessed among a year's seminars is out of reach, and
#: the code is short enough to type from the back of the room.
CHECKIN_CODE_LENGTH = 6
#: The /start payload of a check-in link is this prefix and the code.
CHECKIN_PAYLOAD_PREFIX = "att_"


def new_checkin_code() -> str:
    """A fresh code of CHECKIN_CODE_LENGTH characters of CHECKIN_ALPHABET, drawn with the
    operating system's secure random generator (`secrets`); uniqueness is the caller's
    (the database's unique index on seminars.checkin_code)."""
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(CHECKIN_CODE_LENGTH))


def normalize_checkin_code(text: str) -> str | None:
    """The code as stored, from what a participant typed ("abc 234", " ABC-234 "): upper
    case, spaces and hyphens dropped; None when it cannot be a code at all (wrong length
    or a character outside CHECKIN_ALPHABET)."""
    code = text.strip().upper().replace(" ", "").replace("-", "")
    if len(code) != CHECKIN_CODE_LENGTH or any(c not in CHECKIN_ALPHABET for c in code):
        return None
    return code


def checkin_payload(code: str) -> str:
    """The /start payload of the check-in link for `code`: "att_" and the code."""
    return CHECKIN_PAYLOAD_PREFIX + code


@dataclass(frozen=True, slots=True)
class CheckinWindow:
    """When one seminar's attendance may be recorded, in Unix seconds: self check-in
    works in [opens_at, closes_at]; a coordinator marks from opens_at on, with no end."""

    opens_at: int
    closes_at: int


@dataclass(frozen=True, slots=True)
class CheckinRules:
    """How long before a seminar's start attendance opens, and how long after its end
    self check-in closes, in minutes (the settings CHECKIN_OPENS_MINUTES and
    CHECKIN_CLOSES_MINUTES)."""

    opens_minutes: int
    closes_minutes: int

    def window(self, starts_at: int, ends_at: int) -> CheckinWindow:
        """The window of a seminar held from `starts_at` to `ends_at` (Unix seconds)."""
        return CheckinWindow(
            starts_at - self.opens_minutes * 60, ends_at + self.closes_minutes * 60
        )
