"""Callback data of every inline button. Prefixes are short: Telegram allows 64 bytes."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData


class MenuItem(StrEnum):
    REGISTER = "reg"
    MY_PAGES = "my"
    REPORT = "rep"
    TOTAL = "tot"
    SETTINGS = "set"
    HELP = "hlp"
    PENDING = "pnd"
    DIGEST = "dig"


class MenuCb(CallbackData, prefix="m"):
    item: MenuItem


class WizardStep(StrEnum):
    PLATFORM = "p"
    TERRITORY = "t"
    LEVEL = "l"
    THEME = "h"


class PickCb(CallbackData, prefix="k"):
    """A choice in the /register wizard."""

    step: WizardStep
    value: str


class TerritoryPageCb(CallbackData, prefix="tp"):
    page: int


class ListKind(StrEnum):
    """The lists shown a page at a time."""

    BROADCASTS = "b"
    PENDING = "p"
    ORPHANED = "o"
    SEMINARS = "s"
    MY_PAGES = "m"
    HISTORY = "h"  # subject: the page whose reports are listed
    REPORT_PAGES = "r"  # the page picker of /report


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
    JOIN = "j"
    LEAVE = "l"


class SeminarCb(CallbackData, prefix="sm"):
    """Register for a seminar, or cancel the registration."""

    action: SeminarAction
    seminar_id: int


class SeminarStep(StrEnum):
    SKIP_DESCRIPTION = "d"
    DURATION = "u"
    NO_LIMIT = "c"
    AUDIENCE = "a"  # value: a territory id, "" for the whole region
    AUDIENCE_PAGE = "p"  # value: the page of territories
    ANNOUNCE = "ok"


class SeminarWizardCb(CallbackData, prefix="sw"):
    """A choice in the /seminar_new wizard."""

    step: SeminarStep
    value: str = ""
