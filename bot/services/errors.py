"""Domain errors. One error router turns each into a friendly answer."""

from __future__ import annotations

from typing import ClassVar

from bot.domain.limits import TextLimit


class DomainError(Exception):
    """A request the bot refuses for a reason the user should hear.

    `ends_step` marks the refusals that no later answer can turn round: what a wizard
    step is about is gone or decided (or the user may no longer act on it). Such a
    refusal raised by a wizard step ends the wizard (see
    `bot.middlewares.wizard.EndStepOnRefusal`); the others leave the user in the step to
    try again.
    """

    ends_step: ClassVar[bool] = False


class NotAllowed(DomainError):
    """The actor's role does not allow this action."""

    # A role revoked in the middle of a wizard does not come back with the next answer.
    ends_step = True


class PageNotFound(DomainError):
    """No such page for this user: deleted, left, or never theirs."""

    ends_step = True


class NotRegistered(DomainError):
    """The user has no page and no role yet."""


class DuplicateLink(DomainError):
    def __init__(self, existing_title: str) -> None:
        super().__init__(existing_title)
        self.existing_title = existing_title


class AlreadyDecided(DomainError):
    """The page was approved or rejected by someone else in the meantime."""

    ends_step = True


class PageNotApproved(DomainError):
    """Figures are reported for approved pages only (it may have been rejected meanwhile)."""

    ends_step = True


class InviteInvalid(DomainError):
    pass


class InviteExpired(DomainError):
    pass


class InviteUsed(DomainError):
    pass


class UserNotFound(DomainError):
    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class TerritoryNotFound(DomainError):
    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class BroadcastNotFound(DomainError):
    """No such broadcast, or not one this coordinator may see."""

    ends_step = True


class SeminarNotFound(DomainError):
    """No such seminar, or it is not for this user's pages."""

    ends_step = True


class SeminarFull(DomainError):
    pass


class SeminarStarted(DomainError):
    """Registrations change only before the seminar starts."""

    ends_step = True


class TextRefused(DomainError):
    """A text longer than its limit (or empty where one is required)."""

    def __init__(self, limit: TextLimit) -> None:
        super().__init__(f"a text of at most {limit.max_length} characters was expected")
        self.limit = limit


def require_text(limit: TextLimit, text: str) -> None:
    """Raises TextRefused unless `limit` admits `text`."""
    if not limit.admits(text):
        raise TextRefused(limit)


class ExportTooLarge(DomainError):
    """An XLSX export larger than Telegram lets a bot send (sizes in bytes)."""

    def __init__(self, *, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes; the limit is {limit}")
        self.size = size
        self.limit = limit
