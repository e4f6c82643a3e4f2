"""What a role's routers would have taken, from someone without the role: refused with
the reason (the error router answers NotAllowed), and any wizard step of that role ends.

It sits after the coordinators' and superadmins' routers, so it only ever sees what their
role filter turned away: a command from the menu of a role since revoked, an old button,
forged callback data, the next answer to a wizard of a revoked coordinator.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import TelegramObject

from bot.handlers.callbacks import (
    AttendanceAddCb,
    AttendanceCb,
    AttendancePageCb,
    BroadcastCb,
    BroadcastStopCb,
    CertificateRevokeCb,
    ClaimDecisionCb,
    ExportCb,
    ImportCb,
    ListCb,
    ListKind,
    MenuCb,
    MenuItem,
    ModerationCb,
    SegmentOpenCb,
    SegmentToggleCb,
    SeminarAction,
    SeminarCancelCb,
    SeminarCb,
    SeminarDurationCb,
    SeminarEditCb,
    SeminarHoursCb,
    SeminarWizardCb,
    SilenceCb,
    TrainingCb,
    TrainingSegmentCb,
    UntrainedCb,
)
from bot.handlers.states import (
    Broadcasting,
    Importing,
    MarkingAttendance,
    Moderation,
    SeminarEdit,
    SeminarNew,
)
from bot.services.errors import NotAllowed

COORDINATOR_COMMANDS = (
    "pending",
    "broadcast",
    "broadcasts",
    "seminar_new",
    "audit",
    "export",
    "training",
    "collect",
)
SUPERADMIN_COMMANDS = ("grant", "revoke", "import")
#: The buttons of a seminar's card only coordinators who oversee it are shown.
COORDINATOR_ACTIONS = frozenset(
    {
        SeminarAction.EDIT,
        SeminarAction.CANCEL,
        SeminarAction.CHECKIN,
        SeminarAction.ATTENDANCE,
        SeminarAction.FEEDBACK,
    }
)


async def refuse(_event: TelegramObject) -> None:
    raise NotAllowed


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(refuse, Command(*COORDINATOR_COMMANDS, *SUPERADMIN_COMMANDS))
    router.message.register(
        refuse,
        StateFilter(
            Moderation, Broadcasting, SeminarNew, SeminarEdit, Importing, MarkingAttendance
        ),
    )
    router.callback_query.register(
        refuse, MenuCb.filter(F.item.in_({MenuItem.PENDING, MenuItem.TRAINING}))
    )
    router.callback_query.register(
        refuse,
        ListCb.filter(
            F.kind.in_(
                {
                    ListKind.PENDING,
                    ListKind.CLAIMS,
                    ListKind.ORPHANED,
                    ListKind.BROADCASTS,
                    ListKind.AUDIT,
                    ListKind.IMPORT_PROBLEMS,
                }
            )
        ),
    )
    for data in (
        ModerationCb,
        ClaimDecisionCb,
        BroadcastCb,
        SegmentOpenCb,
        SegmentToggleCb,
        SilenceCb,
        BroadcastStopCb,
        ExportCb,
        SeminarWizardCb,
        SeminarDurationCb,
        SeminarHoursCb,
        SeminarEditCb,
        SeminarCancelCb,
        ImportCb,
        AttendanceCb,
        AttendancePageCb,
        AttendanceAddCb,
        CertificateRevokeCb,
        TrainingCb,
        TrainingSegmentCb,
        UntrainedCb,
    ):
        router.callback_query.register(refuse, data.filter())
    router.callback_query.register(refuse, SeminarCb.filter(F.action.in_(COORDINATOR_ACTIONS)))
    return router
