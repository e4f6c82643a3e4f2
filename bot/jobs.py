"""The scheduled jobs: thin functions that call services at the scheduled time.

The scheduler only says *when* to look; what is due is data in SQLite. A job that runs
late, twice, or in a second process changes nothing, and at start-up every job runs once
to catch up with what fell due while the bot was down.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Settings
from bot.domain.localtime import cron_fired
from bot.services.backups import BackupService
from bot.services.clock import Clock, SystemClock
from bot.services.collect import CollectService
from bot.services.reminders import ReminderService
from bot.services.snapshots import SnapshotService
from bot.storage.database import Database

log = logging.getLogger(__name__)

LEASE_SECONDS = 180
LEASE_RENEW_SECONDS = 60
#: How often the minute tick looks for due seminar reminders and feedback questions.
TICK_SECONDS = 60


class SchedulerLease:
    """Only the process holding the lease runs jobs; a second bot on the same database
    stays idle until the first one has been gone for LEASE_SECONDS."""

    def __init__(self, db: Database, clock: Clock, holder: str | None = None) -> None:
        self._db = db
        self._clock = clock
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{id(self)}"

    async def hold(self) -> bool:
        now = self._clock.now()
        async with self._db.write() as repos:
            return await repos.lease.acquire(self.holder, now=now, until=now + LEASE_SECONDS)

    async def seize(self) -> None:
        """Take the lease whoever holds it: the newly elected leader, whose predecessor
        died holding it (SIGKILL leaves the lease until LEASE_SECONDS pass; without this
        every job, the catch-up included, would be skipped meanwhile)."""
        now = self._clock.now()
        async with self._db.write() as repos:
            await repos.lease.seize(self.holder, until=now + LEASE_SECONDS)

    async def release(self) -> None:
        async with self._db.write() as repos:
            await repos.lease.release(self.holder)


@dataclass
class Jobs:
    lease: SchedulerLease
    snapshots: SnapshotService
    reminders: ReminderService
    # Weekly work (digests) registers here: name → (cron, coroutine function).
    extra: dict[str, tuple[str, Callable[[], Awaitable[object]]]] = field(default_factory=dict)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    clock: Clock = field(default_factory=SystemClock)
    # The nightly backup; None where no backups are wanted (tests of other jobs).
    backups: BackupService | None = None
    # The minute tick's work (seminar reminders, feedback questions): name → coroutine
    # function, each run under the lease every TICK_SECONDS and at start-up.
    every_minute: dict[str, Callable[[], Awaitable[object]]] = field(default_factory=dict)
    # The nightly collection of counts from the platforms; None where not wanted.
    collect: CollectService | None = None

    async def run_guarded(
        self, name: str, job: Callable[[], Awaitable[object]], *, quiet: bool = False
    ) -> None:
        """Run `job` if this process holds the lease; `quiet`: a run that did nothing (a
        falsy result) and a skipped run are logged at DEBUG only (the minute tick)."""
        if not await self.lease.hold():
            log.log(
                logging.DEBUG if quiet else logging.INFO,
                "Job %s skipped: another process runs the scheduler",
                name,
            )
            return
        try:
            result = await job()
        except Exception:
            log.exception("Job %s failed", name)
        else:
            log.log(
                logging.DEBUG if quiet and not result else logging.INFO,
                "Job %s done: %s",
                name,
                result,
            )

    async def take_snapshots(self) -> None:
        await self.run_guarded("snapshots", self.snapshots.run)

    async def send_reminders(self) -> None:
        await self.run_guarded("reminders", self.reminders.run_due)

    async def take_backup(self) -> None:
        if self.backups is not None:
            await self.run_guarded("backup", self.backups.run_due)

    async def tick(self) -> None:
        """The minute tick: what fell due since the last one (seminar reminders, feedback
        questions) is found in SQLite, so a late, repeated or missed tick changes nothing."""
        for name, job in self.every_minute.items():
            await self.run_guarded(name, job, quiet=True)

    async def collect_counts(self) -> None:
        if self.collect is not None:
            await self.run_guarded("collect", self.collect.run_due)

    async def renew_lease(self) -> None:
        await self.lease.hold()

    async def catch_up(self, now: dt.datetime | None = None) -> None:
        """Everything due while the bot was down: missed snapshot days, reminders (also the
        seminars' ones, unless the seminar has begun) and feedback questions, a weekly job
        (the digest) whose run this week fell while the bot was down, the backup if
        BACKUP_CRON had a run since the newest one, and the collection if COLLECT_CRON had
        a run since the newest one started (or a crash left one half done). A restart
        before this week's run does not send the digest early."""
        await self.take_snapshots()
        await self.send_reminders()
        await self.tick()
        moment = now or dt.datetime.fromtimestamp(self.clock.now(), self.tz)
        for name, (cron, job) in self.extra.items():
            if ran_this_week(cron, moment):
                await self.run_guarded(name, job)
        await self.take_backup()
        await self.collect_counts()


def ran_this_week(cron: str, now: dt.datetime) -> bool:
    """Whether `cron` had a run between the start of `now`'s ISO week and `now`."""
    week_start = (now - dt.timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return cron_fired(cron, week_start, now)


def build_scheduler(settings: Settings) -> AsyncIOScheduler:
    # coalesce: a run missed several times is one run; misfire_grace_time: APScheduler 3
    # drops a run that is over 1 s late by default, which a busy loop can easily be.
    return AsyncIOScheduler(
        timezone=settings.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )


def schedule_jobs(scheduler: AsyncIOScheduler, settings: Settings, jobs: Jobs) -> None:
    """The fixed jobs, with fixed ids so a restart replaces instead of duplicating."""
    tz = settings.tz
    crons: list[tuple[str, str, Callable[[], Awaitable[object]]]] = [
        ("snapshots", settings.snapshot_cron, jobs.take_snapshots),
        ("reminders", settings.reminder_cron, jobs.send_reminders),
    ]
    if jobs.backups is not None:
        crons.append(("backup", settings.backup_cron, jobs.take_backup))
    if jobs.collect is not None:
        crons.append(("collect", settings.collect_cron, jobs.collect_counts))
    for job_id, cron, method in crons:
        scheduler.add_job(
            method, CronTrigger.from_crontab(cron, timezone=tz), id=job_id, replace_existing=True
        )
    for name, (cron, job) in jobs.extra.items():

        async def run(name: str = name, job: Callable[[], Awaitable[object]] = job) -> None:
            await jobs.run_guarded(name, job)

        scheduler.add_job(
            run, CronTrigger.from_crontab(cron, timezone=tz), id=name, replace_existing=True
        )
    if jobs.every_minute:
        scheduler.add_job(
            jobs.tick, IntervalTrigger(seconds=TICK_SECONDS), id="tick", replace_existing=True
        )
    scheduler.add_job(
        jobs.renew_lease,
        IntervalTrigger(seconds=LEASE_RENEW_SECONDS),
        id="lease",
        replace_existing=True,
    )
