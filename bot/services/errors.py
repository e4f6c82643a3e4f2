"""Domain errors. One error router turns each into a friendly answer."""

from __future__ import annotations


class DomainError(Exception):
    """A request the bot refuses for a reason the user should hear."""


class NotAllowed(DomainError):
    """The actor's role does not allow this action."""


class PageNotFound(DomainError):
    pass


class NotRegistered(DomainError):
    """The user has no page and no role yet."""


class DuplicateLink(DomainError):
    def __init__(self, existing_title: str) -> None:
        super().__init__(existing_title)
        self.existing_title = existing_title


class AlreadyDecided(DomainError):
    """The page was approved or rejected by someone else in the meantime."""


class PageNotApproved(DomainError):
    """Figures are reported for approved pages only."""


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


class SeminarNotFound(DomainError):
    """No such seminar, or it is not for this user's pages."""


class SeminarFull(DomainError):
    pass


class SeminarStarted(DomainError):
    """Registrations change only before the seminar starts."""
