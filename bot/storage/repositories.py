"""The unit of work's view of storage: every repository over one connection.

Each aggregate's repository lives in its own module; `bot.storage.base` holds what they
share. Repositories never commit: `Database.write()` owns the transaction.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.attendance import AttendanceRepository
from bot.storage.audience import AudienceRepository
from bot.storage.audit import AuditRepository
from bot.storage.broadcasts import BroadcastRepository
from bot.storage.certificates import CertificateRepository
from bot.storage.charts import ChartRepository
from bot.storage.claims import ClaimRepository
from bot.storage.dialect import Dialect
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

    def __init__(self, conn: AsyncConnection, dialect: Dialect) -> None:
        self.territories = TerritoryRepository(conn, dialect)
        self.users = UserRepository(conn, dialect)
        self.pages = PageRepository(conn, dialect)
        self.reports = ReportRepository(conn, dialect)
        self.invites = InviteRepository(conn, dialect)
        self.totals = TotalsRepository(conn, dialect)
        self.fsm = FsmRepository(conn, dialect)
        self.outbox = OutboxRepository(conn, dialect)
        self.broadcasts = BroadcastRepository(conn, dialect)
        self.audience = AudienceRepository(conn, dialect)
        self.milestones = MilestoneRepository(conn, dialect)
        self.charts = ChartRepository(conn, dialect)
        self.snapshots = SnapshotRepository(conn, dialect)
        self.reminders = ReminderRepository(conn, dialect)
        self.lease = LeaseRepository(conn, dialect)
        self.digests = DigestRepository(conn, dialect)
        self.seminars = SeminarRepository(conn, dialect)
        self.waitlist = WaitlistRepository(conn, dialect)
        self.seminar_changes = SeminarChangeRepository(conn, dialect)
        self.audit = AuditRepository(conn, dialect)
        self.claims = ClaimRepository(conn, dialect)
        self.orphans = OrphanRepository(conn, dialect)
        self.exports = ExportRepository(conn, dialect)
        self.imports = ImportRepository(conn, dialect)
        self.attendance = AttendanceRepository(conn, dialect)
        self.certificates = CertificateRepository(conn, dialect)
        self.seminar_reminders = SeminarReminderRepository(conn, dialect)
        self.feedback = FeedbackRepository(conn, dialect)
        self.training = TrainingRepository(conn, dialect)
        self.observations = ObservationRepository(conn, dialect)
