"""What the audit log records: the privileged actions and the kinds of their subjects."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AuditAction(StrEnum):
    """A privileged action; the value is what `audit_log.action` stores."""

    PAGE_APPROVED = "page_approved"
    PAGE_REJECTED = "page_rejected"
    CLAIM_APPROVED = "claim_approved"
    CLAIM_REJECTED = "claim_rejected"
    IMPORT_APPLIED = "import_applied"
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    BROADCAST_STARTED = "broadcast_started"
    BROADCAST_STOPPED = "broadcast_stopped"
    SEMINAR_CREATED = "seminar_created"
    SEMINAR_CHANGED = "seminar_changed"
    SEMINAR_CANCELLED = "seminar_cancelled"
    CERTIFICATE_REVOKED = "certificate_revoked"
    EXPORT_TAKEN = "export_taken"
    RESTORE = "restore"


class SubjectKind(StrEnum):
    """What an audited action was taken on."""

    PAGE = "page"
    USER = "user"
    BROADCAST = "broadcast"
    SEMINAR = "seminar"
    IMPORT = "import"
    EXPORT = "export"
    DATABASE = "database"


class AuditDetail(StrEnum):
    """Keys of `audit_log.details` that /audit names in the reader's language; an entry
    may carry other keys too (they are shown as recorded)."""

    REASON = "reason"  # why a page or a claim was rejected: the coordinator's words
    CLAIMANT = "claimant"  # the user id of who claimed a page
    RECIPIENTS = "recipients"  # how many administrators a broadcast or seminar reached
    CANCELLED = "cancelled"  # messages of a stopped broadcast that were never sent
    PAGES = "pages"  # how many pages an import brought in
    FILE = "file"  # the name of an imported file
    CERTIFICATE = "certificate"  # the public id of a certificate
    HOLDER = "holder"  # the user id of whom a certificate was issued to
    FIELD = "field"  # what a coordinator changed in a seminar (bot.domain.seminars.SeminarField)


@dataclass(frozen=True, slots=True)
class Subject:
    """What an audited action was taken on: its kind and id, and the territory it belongs
    to (None: the whole region), by which /audit scopes the entry."""

    kind: SubjectKind
    id: int
    territory_id: int | None = None
