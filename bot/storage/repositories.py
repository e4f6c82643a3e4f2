"""The unit of work's view of storage: every repository over one connection.

Each aggregate's repository lives in its own module; `bot.storage.base` holds what they
share. Repositories never commit: `Database.write()` owns the transaction.
"""

from __future__ import annotations

import aiosqlite

from bot.storage.attendance import AttendanceRepository
from bot.storage.audience import AudienceRepository
from bot.storage.audit import AuditRepository
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.certificates import CertificateRepository
from bot.storage.charts import ChartRepository
from bot.storage.claims import ClaimRepository
from bot.storage.digests import DigestRepository
from bot.storage.exports import ExportRepository
from bot.storage.feedback import FeedbackRepository
from bot.storage.fsm_states import FsmRepository
from bot.storage.imports import ImportRepository
from bot.storage.invites import InviteRepository
from bot.storage.lease import LeaseRepository
from bot.storage.milestones import MilestoneRepository
from bot.storage.observations import ObservationRepository
from bot.storage.orphans import OrphanRepository
from bot.storage.outbox import OutboxRepository
from bot.storage.pages import PageRepository
from bot.storage.reminders import ReminderRepository
from bot.storage.reports import ReportRepository
from bot.storage.seminar_changes import SeminarChangeRepository
from bot.storage.seminar_reminders import SeminarReminderRepository
from bot.storage.seminars import SeminarRepository
from bot.storage.snapshots import SnapshotRepository
from bot.storage.territories import TerritoryRepository
from bot.storage.totals import TotalsRepository
from bot.storage.training import TrainingRepository
from bot.storage.users import UserRepository
from bot.storage.waitlist import WaitlistRepository


class Repositories:
    """Every repository over one connection: what a unit of work hands out."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.territories = TerritoryRepository(conn)
        self.users = UserRepository(conn)
        self.pages = PageRepository(conn)
        self.reports = ReportRepository(conn)
        self.invites = InviteRepository(conn)
        self.totals = TotalsRepository(conn)
        self.fsm = FsmRepository(conn)
        self.outbox = OutboxRepository(conn)
        self.broadcasts = BroadcastRepository(conn)
        self.audience = AudienceRepository(conn)
        self.milestones = MilestoneRepository(conn)
        self.charts = ChartRepository(conn)
        self.snapshots = SnapshotRepository(conn)
        self.reminders = ReminderRepository(conn)
        self.lease = LeaseRepository(conn)
        self.digests = DigestRepository(conn)
        self.seminars = SeminarRepository(conn)
        self.waitlist = WaitlistRepository(conn)
        self.seminar_changes = SeminarChangeRepository(conn)
        self.audit = AuditRepository(conn)
        self.claims = ClaimRepository(conn)
        self.orphans = OrphanRepository(conn)
        self.exports = ExportRepository(conn)
        self.imports = ImportRepository(conn)
        self.attendance = AttendanceRepository(conn)
        self.certificates = CertificateRepository(conn)
        self.seminar_reminders = SeminarReminderRepository(conn)
        self.feedback = FeedbackRepository(conn)
        self.training = TrainingRepository(conn)
        self.observations = ObservationRepository(conn)
