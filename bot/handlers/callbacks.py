"""Callback data of every inline button. Prefixes are short: Telegram allows 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.domain.catalog import Level, Theme
from bot.domain.exports import ExportFormat, ExportKind, ExportPeriod
from bot.domain.links import Platform
from bot.domain.segments import Dimension, SeminarGroup
from bot.domain.seminars import SeminarField
from bot.domain.training import TrainingPeriod


class MenuItem(StrEnum):
    REGISTER = "reg"
    MY_PAGES = "my"
    REPORT = "rep"
    TOTAL = "tot"
    SETTINGS = "set"
    HELP = "hlp"
    PENDING = "pnd"
    DIGEST = "dig"
    TRAINING = "trn"


class MenuCb(CallbackData, prefix="m"):
    item: MenuItem


# The /register wizard's choices, one type each: a forged value fails to unpack and
# meets the stale-button answer instead of a handler.


class PlatformCb(CallbackData, prefix="kp"):
    platform: Platform


class TerritoryCb(CallbackData, prefix="kt"):
    territory_id: int


class LevelCb(CallbackData, prefix="kl"):
    level: Level


class ThemeCb(CallbackData, prefix="kh"):
    theme: Theme


class TerritoryPageCb(CallbackData, prefix="tp"):
    page: int


class ListKind(StrEnum):
    """The lists shown a page at a time."""

    BROADCASTS = "b"
    PENDING = "p"
    CLAIMS = "c"
    ORPHANED = "o"
    SEMINARS = "s"
    MY_PAGES = "m"
    HISTORY = "h"  # subject: the page whose reports are listed
    REPORT_PAGES = "r"  # the page picker of /report
    AUDIT = "a"
    IMPORT_PROBLEMS = "i"  # subject: the import whose dry run is listed


class ListCb(CallbackData, prefix="ls"):
    """Show page `page` (zero-based) of a list; `subject` narrows it (a page id), or 0."""

    kind: ListKind
    page: int
    subject: int = 0


class RegisterAction(StrEnum):
    CONFIRM = "ok"
    RESTART = "re"
    CANCEL = "no"


class RegisterCb(CallbackData, prefix="r"):
    action: RegisterAction


class PageAction(StrEnum):
    REPORT = "r"
    HISTORY = "h"
    INVITE = "i"
    HAND_OVER = "o"
    LEAVE = "l"
    LEAVE_CONFIRM = "L"


class PageCb(CallbackData, prefix="p"):
    action: PageAction
    page_id: int


class ReportConfirmCb(CallbackData, prefix="rc"):
    confirmed: bool


class ModerationAction(StrEnum):
    APPROVE = "a"
    REJECT = "r"


class ModerationCb(CallbackData, prefix="md"):
    action: ModerationAction
    page_id: int


class ClaimCb(CallbackData, prefix="cl"):
    """Claim a page nobody administers (offered by /register); anyone may press it, the
    service decides whether the page may be claimed."""

    page_id: int


class ClaimDecisionCb(CallbackData, prefix="cd"):
    """A coordinator approves or rejects a claim."""

    action: ModerationAction
    claim_id: int


class LocaleCb(CallbackData, prefix="lc"):
    locale: str


class Subscription(StrEnum):
    DIGEST = "d"
    REMINDERS = "r"


class SubscriptionCb(CallbackData, prefix="sb"):
    """Switch a subscription to `on` (the wanted state, so a double tap changes nothing)."""

    subscription: Subscription
    on: bool


class CancelCb(CallbackData, prefix="x"):
    pass


class ChartScope(StrEnum):
    REGION = "r"
    TERRITORY = "t"
    PAGE = "p"


class ChartCb(CallbackData, prefix="ch"):
    """A growth chart over `days`; `subject` is the territory or page id, 0 for the region."""

    scope: ChartScope
    subject: int = 0
    days: int = 30


class SeminarAction(StrEnum):
    # Everyone: register (or join the waiting list), cancel, calendar file, certificate.
    JOIN = "j"
    LEAVE = "l"
    CALENDAR = "ics"
    CERTIFICATE = "crt"
    # Coordinators: manage the seminar from its card.
    EDIT = "e"
    CANCEL = "x"
    CHECKIN = "ci"
    ATTENDANCE = "at"
    FEEDBACK = "fb"


class SeminarCb(CallbackData, prefix="sm"):
    """A button of a seminar's card: what to do with the seminar."""

    action: SeminarAction
    seminar_id: int


class AttendanceCb(CallbackData, prefix="ak"):
    """A name on a seminar's attendance list: switch the person between came and not;
    `page` is the screen of the list the tap came from (zero-based)."""

    seminar_id: int
    user_id: int
    page: int = 0


class AttendancePageCb(CallbackData, prefix="akp"):
    """Show screen `page` (zero-based) of a seminar's attendance list."""

    seminar_id: int
    page: int = 0


class AttendanceAddCb(CallbackData, prefix="aka"):
    """Mark someone who came without registering (asked for by @username or id)."""

    seminar_id: int


class FeedbackRateCb(CallbackData, prefix="fr"):
    """An attendee rates a seminar 1–5; the service refuses any other value and anyone
    who did not attend."""

    seminar_id: int
    rating: int


class FeedbackSkipCb(CallbackData, prefix="frs"):
    """An attendee who rated a seminar adds no comment."""

    seminar_id: int


class SeminarStep(StrEnum):
    SKIP_DESCRIPTION = "d"
    NO_LIMIT = "c"
    ANNOUNCE = "ok"
    AUDIENCE_DONE = "au"  # the audience is chosen: on to the preview


class SeminarWizardCb(CallbackData, prefix="sw"):
    """A button of the /seminar_new wizard that needs no value."""

    step: SeminarStep


class SeminarDurationCb(CallbackData, prefix="sd"):
    minutes: int


class SeminarHoursCb(CallbackData, prefix="sh"):
    hours: int  # the default the wizard offers for the duration


class SeminarEditCb(CallbackData, prefix="se"):
    """A coordinator changes `field` of the seminar: the question for its new value."""

    field: SeminarField
    seminar_id: int


class SeminarCancelCb(CallbackData, prefix="sec"):
    """A coordinator confirms the cancellation of the seminar."""

    seminar_id: int


# The /broadcast wizard and its progress message: one type per button, so that a forged
# value fails to unpack and meets the stale-button answer instead of a handler.


class BroadcastStep(StrEnum):
    BACK = "b"  # back to the segment summary
    PREVIEW = "p"
    SEND = "go"
    CANCEL = "x"


class BroadcastCb(CallbackData, prefix="b"):
    """A button of the /broadcast wizard that needs no value."""

    step: BroadcastStep


class SegmentChoice(StrEnum):
    """A screen of choices that narrow the segment: a dimension, or the days of silence."""

    TERRITORY = Dimension.TERRITORY.value
    LEVEL = Dimension.LEVEL.value
    THEME = Dimension.THEME.value
    PLATFORM = Dimension.PLATFORM.value
    SILENCE = "silence"
    TRAINING = "training"  # a seminar's people, pages with no trained administrator

    @property
    def dimension(self) -> Dimension | None:
        """The dimension whose values this screen lists; None for the days of silence
        and the training screen."""
        if self in (SegmentChoice.SILENCE, SegmentChoice.TRAINING):
            return None
        return Dimension(self.value)


class SegmentOpenCb(CallbackData, prefix="bo"):
    """Show the screen `choice`; territories come a screen `page` (zero-based) at a time."""

    choice: SegmentChoice
    page: int = 0


class SegmentToggleCb(CallbackData, prefix="bt"):
    """Switch a value of a dimension on or off: a territory's id, or a level, theme or
    platform code (checked by `Segment.toggled`)."""

    dimension: Dimension
    value: str


class SilenceCb(CallbackData, prefix="bs"):
    """Keep pages with no report for `days` or more; 0: any page."""

    days: int


class TrainingSegmentCb(CallbackData, prefix="trs"):
    """Narrow a broadcast to a seminar's people: seminar 0 without a group: to no
    seminar; a seminar without a group: show its groups; both: choose them. Whether the
    coordinator oversees the seminar is checked by the service."""

    seminar_id: int = 0
    group: SeminarGroup | None = None


class UntrainedCb(CallbackData, prefix="tru"):
    """Keep (or not) pages with no trained administrator."""

    on: bool


class BroadcastStopCb(CallbackData, prefix="bx"):
    """Stop a broadcast that is being sent."""

    broadcast_id: int


class ExportCb(CallbackData, prefix="ex"):
    """A step of /export: the kind, then (the report history) the period, then the
    format; the export runs once every field it needs is set."""

    kind: ExportKind
    period: ExportPeriod | None = None
    fmt: ExportFormat | None = None


class ImportAction(StrEnum):
    TEMPLATE_XLSX = "x"
    TEMPLATE_CSV = "c"
    APPLY = "a"


class ImportCb(CallbackData, prefix="im"):
    """A button of /import: a template to download, or apply the dry run `import_id`."""

    action: ImportAction
    import_id: int = 0


class CertificateNameCb(CallbackData, prefix="cen"):
    """Change the full name printed on one's certificates (from the training record)."""


class CertificateRevokeCb(CallbackData, prefix="cer"):
    """Revoke certificate `certificate_id` (a coordinator): ask first (`confirmed`
    False), then do it. The id is checked by the service, never trusted."""

    certificate_id: str
    confirmed: bool = False


class TrainingCb(CallbackData, prefix="tr"):
    """A screen of /training: the period, and the screen of territories (zero-based)."""

    period: TrainingPeriod
    page: int = 0
