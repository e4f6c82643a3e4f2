"""The training features' public classes and functions say what they are: their own
docstring, not one inherited (a repository's would be Repository's)."""

from __future__ import annotations

import pytest

from bot.domain.training import TrainingReport
from bot.handlers import attendance, checkin, seminar_calendar, seminar_feedback, training
from bot.services.attendance import AttendanceService
from bot.services.certificates import CertificateService, TrainingRecord
from bot.services.seminar_changes import SeminarChanges
from bot.services.seminar_reminders import SeminarReminderService
from bot.services.training import TrainingService
from bot.storage.attendance import AttendanceRepository
from bot.storage.certificates import CertificateRepository
from bot.storage.feedback import FeedbackRepository
from bot.storage.seminar_changes import SeminarChangeRepository
from bot.storage.seminar_reminders import SeminarReminderRepository
from bot.storage.training import TrainingRepository
from bot.storage.waitlist import WaitlistRepository
from bot.texts import attendance as attendance_texts
from bot.texts import calendar as calendar_texts

DOCUMENTED: list[object] = [
    AttendanceService,
    CertificateService,
    SeminarChanges,
    SeminarReminderService,
    TrainingService,
    AttendanceRepository,
    CertificateRepository,
    FeedbackRepository,
    SeminarChangeRepository,
    SeminarReminderRepository,
    TrainingRepository,
    WaitlistRepository,
    attendance.ask_for_walk_in,
    seminar_feedback.skip_comment,
    attendance.build_router,
    checkin.build_router,
    seminar_calendar.build_router,
    training.build_router,
    attendance_texts.ask_walk_in,
    attendance_texts.ask_code,
    calendar_texts.calendar_file_name,
    vars(TrainingReport)["total"],  # properties: their getter's docstring
    vars(TrainingRecord)["hours"],
    vars(TrainingRecord)["empty"],
]


@pytest.mark.parametrize("documented", DOCUMENTED, ids=lambda o: getattr(o, "__qualname__", "?"))
def test_each_says_what_it_is(documented: object) -> None:
    own = vars(documented) if isinstance(documented, type) else {}
    doc = own.get("__doc__") if isinstance(documented, type) else documented.__doc__
    assert doc is not None, documented
    assert doc.strip(), documented
