"""Certificates of attendance: their public ids, the payload of their verification link,
and the full name printed on them."""

from __future__ import annotations

import secrets
from enum import StrEnum

from bot.domain.limits import CERTIFICATE_NAME

#: Characters of a certificate id: capital Latin letters and digits without those a
#: reader confuses (0/O, 1/I/L), so an id typed from paper comes out right.
CERTIFICATE_ID_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 31 ** 10 ≈ 8·10**14 ids: guessing a genuine one is hopeless, typing one is easy.
CERTIFICATE_ID_LENGTH = 10
#: The /start payload of a certificate's verification link is this prefix and its id.
CERTIFICATE_PAYLOAD_PREFIX = "cert_"


class NameProblem(StrEnum):
    """Why a full name cannot be printed on a certificate."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_LETTERS = "no_letters"


def new_certificate_id() -> str:
    """A fresh random certificate id: CERTIFICATE_ID_LENGTH characters of
    CERTIFICATE_ID_ALPHABET from the `secrets` generator. Uniqueness is the storage's to
    check (a collision is astronomically unlikely, not impossible)."""
    return "".join(secrets.choice(CERTIFICATE_ID_ALPHABET) for _ in range(CERTIFICATE_ID_LENGTH))


def certificate_payload(certificate_id: str) -> str:
    """The /start payload that verifies the certificate: "cert_" and its id."""
    return CERTIFICATE_PAYLOAD_PREFIX + certificate_id


def certificate_id_of(payload: str) -> str | None:
    """The certificate id in a /start payload ("cert_" and an id, any letter case), or
    None when the rest cannot be an id (wrong length or characters): such a payload is
    answered as an unknown certificate without a query."""
    if not payload.startswith(CERTIFICATE_PAYLOAD_PREFIX):
        return None
    code = payload.removeprefix(CERTIFICATE_PAYLOAD_PREFIX).upper()
    if len(code) != CERTIFICATE_ID_LENGTH or any(c not in CERTIFICATE_ID_ALPHABET for c in code):
        return None
    return code


def clean_name(text: str) -> str:
    """A typed full name on one line: runs of spaces and line breaks fold to one space."""
    return " ".join(text.split())


def name_problem(name: str) -> NameProblem | None:
    """Why `name` (cleaned by `clean_name`) cannot be printed, or None if it can: it must
    be 1 to CERTIFICATE_NAME.max_length characters and hold at least one letter (any
    alphabet)."""
    if not name:
        return NameProblem.EMPTY
    if not CERTIFICATE_NAME.admits(name):
        return NameProblem.TOO_LONG
    if not any(char.isalpha() for char in name):
        return NameProblem.NO_LETTERS
    return None
