"""Domain errors. One error router turns each into a friendly answer."""

from __future__ import annotations

from typing import ClassVar

from bot.domain.certificates import NameProblem
from bot.domain.limits import TextLimit
from bot.domain.registry_import import FileProblem
from bot.domain.seminars import SeminarInputError


class DomainError(Exception):
    """A request the bot refuses for a reason the user should hear.

    `ends_step` marks the refusals that no later answer can turn round (the subclasses
    of `FinalRefusal`). Such a refusal raised by a wizard step ends the wizard (see
    `bot.middlewares.wizard.EndStepOnRefusal`); the others leave the user in the step to
    try again.
    """

    ends_step: ClassVar[bool] = False


class FinalRefusal(DomainError):
    """A refusal no later answer can turn round: what the request is about is gone or
    decided, or the user may no longer act on it."""

    ends_step = True


class UnknownReference(DomainError):
    """Something named (by the user, or by a button) matches nothing; `reference` is how
    it was named."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


class InviteRefused(DomainError):
    """An invite code that makes nobody a co-administrator."""


class NotAllowed(FinalRefusal):
    """The actor's role does not allow this action (a role revoked in the middle of a
    wizard does not come back with the next answer)."""


class PageNotFound(FinalRefusal):
    """No such page for this user: deleted, left, or never theirs."""


class NotRegistered(DomainError):
    """The user has no page and no role yet."""


class DuplicateLink(DomainError):
    def __init__(self, existing_title: str) -> None:
        super().__init__(existing_title)
        self.existing_title = existing_title


class CollectBusy(DomainError):
    """A collection run is going on already (in this process or another)."""


class SameCommunity(DuplicateLink):
    """The link names a community registered already under another link (the platform
    gave both the same id: vk.com/club1 and vk.com/name)."""


class AlreadyDecided(FinalRefusal):
    """The page was approved or rejected by someone else in the meantime."""


class ClaimDecided(AlreadyDecided):
    """The claim was approved or rejected by someone else in the meantime."""


class ClaimNotFound(FinalRefusal):
    """No such claim (an old or forged button)."""


class NotClaimable(FinalRefusal):
    """The page has a reachable administrator (or is not approved): it is not claimed,
    its administrators invite."""


class ClaimPending(DomainError):
    """A claim of the page waits for a coordinator already: the user's own (`mine`) or
    someone else's."""

    def __init__(self, *, mine: bool) -> None:
        super().__init__("mine" if mine else "another")
        self.mine = mine


class PageNotApproved(FinalRefusal):
    """Figures are reported for approved pages only (it may have been rejected meanwhile)."""


class InviteInvalid(InviteRefused):
    """No such code, or its page is gone."""


class InviteExpired(InviteRefused):
    pass


class InviteUsed(InviteRefused):
    pass


class UserNotFound(UnknownReference):
    """`reference`: a Telegram user id or an @username."""


class TerritoryNotFound(UnknownReference):
    """`reference`: a territory's name, code or id, matching no territory or several."""


class BroadcastNotFound(FinalRefusal):
    """No such broadcast, or not one this coordinator may see."""


class SeminarNotFound(FinalRefusal):
    """No such seminar, or it is not for this user's pages."""


class SeminarStarted(FinalRefusal):
    """Registrations change only before the seminar starts."""


class FeedbackRefused(FinalRefusal):
    """A rating or comment not taken: the seminar has not ended or was cancelled, the
    person did not attend it (or has not rated it, for a comment), or the rating is not
    1 to 5 (a forged button)."""


class FeedbackClosed(FinalRefusal):
    """Ratings are taken for `days` (bot.services.feedback.FEEDBACK_WINDOW_DAYS, the
    window the questions are asked in) after a seminar's end, not later."""

    def __init__(self, days: int) -> None:
        super().__init__(f"ratings closed {days} days after the end")
        self.days = days


class SeminarCancelled(FinalRefusal):
    """The seminar was cancelled: nothing about it changes any more."""


class CheckinCodeUnknown(UnknownReference):
    """No seminar has this check-in code; `reference` is the code as typed."""


class CheckinNotOpen(DomainError):
    """Attendance is recorded from `minutes` (CHECKIN_OPENS_MINUTES) before the start on:
    a code used, or a coordinator marking, earlier is refused."""

    def __init__(self, minutes: int, *, marking: bool = False) -> None:
        super().__init__(f"opens {minutes} minutes before the start")
        self.minutes = minutes
        self.marking = marking


class CheckinClosed(FinalRefusal):
    """Self check-in ends `minutes` (CHECKIN_CLOSES_MINUTES) after the seminar's end."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"closed {minutes} minutes after the end")
        self.minutes = minutes


class NotInAudience(FinalRefusal):
    """Self check-in is for the seminar's audience and those registered only."""


class NotOnRoster(FinalRefusal):
    """The person is neither registered for the seminar nor marked as having come (an
    old or forged button of the attendance list)."""


class SeminarNotEnded(DomainError):
    """A certificate is issued once the seminar has ended."""


class NotAttended(FinalRefusal):
    """A certificate is for those marked as having come to the seminar."""


class CertificateRevoked(FinalRefusal):
    """The person's certificate for the seminar was revoked: it is not issued again.
    `revoked_at`: when (Unix seconds); `certificate_id`: its id."""

    def __init__(self, certificate_id: str, revoked_at: int) -> None:
        super().__init__(f"certificate {certificate_id} revoked at {revoked_at}")
        self.certificate_id = certificate_id
        self.revoked_at = revoked_at


class CertificateNotFound(FinalRefusal):
    """No certificate has this id (a mistyped, forged or made-up one)."""


class CertificateNameRefused(DomainError):
    """A full name that cannot be printed on a certificate; `problem` says why
    (`bot.domain.certificates.NameProblem`)."""

    def __init__(self, problem: NameProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class SeminarChangeRefused(DomainError):
    """A seminar's new value refused (`reason`); for BELOW_REGISTERED, `registered` is how
    many are registered already (the fewest seats it may have)."""

    def __init__(self, reason: SeminarInputError, registered: int = 0) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.registered = registered


class ImportFileRefused(DomainError):
    """An import file that cannot be checked row by row (see
    `bot.domain.registry_import.FileProblem`); `detail` says more where it can."""

    def __init__(self, problem: FileProblem, detail: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.detail = detail


class ImportGone(DomainError):
    """The dry run cannot be applied: `applied` already (a second tap), or no longer
    waiting (another superadmin's, or replaced by a newer file)."""

    ends_step = True

    def __init__(self, *, applied: bool) -> None:
        super().__init__("applied" if applied else "not waiting")
        self.applied = applied


class NothingToImport(DomainError):
    """No row of the file can be imported (any more: it may have been registered meanwhile)."""


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
