"""Scheduling with an injected clock: trigger times, snapshots, reminders, the lease."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from apscheduler.triggers.cron import CronTrigger

from bot.app import build_application
from bot.config import LOCALES_DIR, load_settings
from bot.domain.crosscheck import CrossCheck
from bot.domain.localtime import DAY
from bot.domain.observations import Count
from bot.handlers.keyboards import report_now
from bot.jobs import (
    LEASE_SECONDS,
    Jobs,
    SchedulerLease,
    build_scheduler,
    schedule_jobs,
)
from bot.services.backups import BackupService
from bot.services.collect import CollectService
from bot.services.reminders import ReminderService
from bot.services.snapshots import SnapshotService, day_bounds
from bot.storage.database import Database
from bot.storage.outbox import OutboxStatus
from bot.texts.reminders import reminder_text
from tests.builders import add_page
from tests.clock import FakeClock
from tests.fakes.collector import FakeCollector

MOSCOW = ZoneInfo("Europe/Moscow")


async def approved_page(
    db: Database, clock: FakeClock, *, user: int = 1, key: str = "vk.com/a"
) -> int:
    async with db.write() as repos:
        await repos.users.touch(
            user, username=None, full_name="A", language_code="en", now=clock.now()
        )
        return await add_page(
            repos, key, created_by=user, title="<i>Page</i> & co", level="regional", now=clock.now()
        )


async def report(db: Database, page: int, figure: int, at: int) -> None:
    async with db.write() as repos:
        await repos.reports.add(page_id=page, figure=figure, reported_by=1, update_id=None, now=at)
        await repos.pages.set_current_figure(page, figure, now=at)


async def region_series(db: Database) -> list[tuple[str, int]]:
    async with db.read() as repos:
        return [
            (day, subs) for day, _pages, subs in await repos.snapshots.region_series("2000-01-01")
        ]


async def test_snapshots_fill_missed_days_from_history_and_are_idempotent(
    db: Database, clock: FakeClock
) -> None:
    snapshots = SnapshotService(db, clock, MOSCOW)
    first_day = snapshots.today()
    page = await approved_page(db, clock)
    start, _ = day_bounds(first_day, MOSCOW)
    await report(db, page, 100, start + 3600)
    await report(db, page, 150, start + DAY + 3600)
    await report(db, page, 400, start + 3 * DAY + 3600)
    clock.current = start + 4 * DAY + 7200  # the bot was down for four nights

    taken = await snapshots.run()
    assert taken == [first_day + dt.timedelta(days=n) for n in range(4)]
    expected = [
        ((first_day + dt.timedelta(days=n)).isoformat(), v)
        for n, v in enumerate((100, 150, 150, 400))
    ]
    assert await region_series(db) == expected

    assert await snapshots.run() == []  # the same night again: nothing new
    await snapshots.take(first_day + dt.timedelta(days=1))  # re-running a day replaces it
    assert await region_series(db) == expected


def make_reminders(db: Database, clock: FakeClock) -> ReminderService:
    i18n = I18n(path=LOCALES_DIR, default_locale="ru", domain="messages")
    return ReminderService(
        db, clock, days=7, render=reminder_text(i18n, 7, report_now), wake=lambda: None
    )


async def queued_texts(db: Database) -> list[str]:
    async with db.read() as repos:
        counts = await repos.outbox.status_counts()
        rows = [await repos.outbox.get(i) for i in range(1, counts[OutboxStatus.PENDING] + 1)]
    return [str(row.payload["text"]) for row in rows if row is not None]


async def test_reminders_go_once_per_period_to_silent_pages(db: Database, clock: FakeClock) -> None:
    reminders = make_reminders(db, clock)
    page = await approved_page(db, clock)
    clock.advance(6 * DAY)
    assert await reminders.run_due() == 0  # not silent for 7 days yet
    clock.advance(DAY + 1)
    assert await reminders.run_due() == 1
    assert await reminders.run_due() == 0  # a repeated job changes nothing
    [text] = await queued_texts(db)
    assert "&lt;i&gt;Page&lt;/i&gt; &amp; co" in text
    clock.advance(7 * DAY + 1)
    assert await reminders.run_due() == 1  # still silent a week later
    await report(db, page, 10, clock.now())
    clock.advance(DAY)
    assert await reminders.run_due() == 0  # reported: nothing due


async def test_unsubscribed_administrators_get_no_reminders(db: Database, clock: FakeClock) -> None:
    reminders = make_reminders(db, clock)
    await approved_page(db, clock)
    async with db.write() as repos:
        await repos.users.set_subscriptions(1, wants_digest=True, wants_reminders=False)
    clock.advance(8 * DAY)
    assert await reminders.run_due() == 0


async def test_one_scheduler_per_database(db: Database, clock: FakeClock) -> None:
    first, second = SchedulerLease(db, clock, "one"), SchedulerLease(db, clock, "two")
    assert await first.hold()
    assert not await second.hold()
    clock.advance(LEASE_SECONDS - 1)
    assert await first.hold()  # renewed
    clock.advance(LEASE_SECONDS - 1)
    assert not await second.hold()
    clock.advance(2)  # the first process is gone and its lease expired
    assert await second.hold()
    assert not await first.hold()


async def test_a_second_process_runs_no_job(db: Database, clock: FakeClock) -> None:
    await approved_page(db, clock)
    clock.advance(8 * DAY)
    holder = Jobs(
        SchedulerLease(db, clock, "one"),
        SnapshotService(db, clock, MOSCOW),
        make_reminders(db, clock),
    )
    other = Jobs(
        SchedulerLease(db, clock, "two"),
        SnapshotService(db, clock, MOSCOW),
        make_reminders(db, clock),
    )
    await holder.renew_lease()
    await other.catch_up()
    assert await queued_texts(db) == []
    await holder.catch_up()
    assert len(await queued_texts(db)) == 1
    assert await region_series(db) != []


def test_the_application_schedules_the_weekly_digest(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None, bot_token="1:x", database_path=tmp_path / "bot.sqlite3"
    )
    app = build_application(settings)
    jobs: Jobs = app.dispatcher["jobs"]
    cron, job = jobs.extra["digests"]
    assert cron == "0 9 * * mon"
    assert job == app.dispatcher["digests"].run_due
    scheduler = build_scheduler(settings)
    schedule_jobs(scheduler, settings, jobs)
    digest = next(job for job in scheduler.get_jobs() if job.id == "digests")
    monday = digest.trigger.get_next_fire_time(None, dt.datetime(2026, 11, 28, tzinfo=MOSCOW))
    assert monday == dt.datetime(2026, 11, 30, 9, 0, tzinfo=MOSCOW)


async def test_catch_up_does_not_send_this_weeks_digest_early(
    db: Database, clock: FakeClock
) -> None:
    calls: list[str] = []

    async def digest() -> None:
        calls.append("digest")

    jobs = Jobs(
        SchedulerLease(db, clock, "one"),
        SnapshotService(db, clock, MOSCOW),
        make_reminders(db, clock),
        extra={"digests": ("0 9 * * mon", digest)},
        tz=MOSCOW,
    )
    await jobs.catch_up(dt.datetime(2026, 11, 30, 8, 0, tzinfo=MOSCOW))
    assert calls == []
    await jobs.catch_up(dt.datetime(2026, 12, 1, 8, 0, tzinfo=MOSCOW))
    assert calls == ["digest"]


def moscow(year: int, month: int, day: int, hour: int, minute: int) -> int:
    """Unix seconds of a wall time in Moscow."""
    return int(dt.datetime(year, month, day, hour, minute, tzinfo=MOSCOW).timestamp())


def nightly_jobs(db: Database, clock: FakeClock, holder: str) -> Jobs:
    """The jobs of one bot on `db`: with the nightly backup where the database is an
    SQLite file, as the application has them."""
    return Jobs(
        SchedulerLease(db, clock, holder),
        SnapshotService(db, clock, MOSCOW),
        make_reminders(db, clock),
        tz=MOSCOW,
        clock=clock,
        backups=BackupService(
            db.file, db.file.parent / "backups", keep=7, cron="30 3 * * *", tz=MOSCOW, clock=clock
        )
        if db.file is not None
        else None,
    )


@pytest.mark.sqlite_only
async def test_the_nightly_backup_is_taken_once_a_night_and_caught_up(
    db: Database, clock: FakeClock
) -> None:
    folder = db.path.parent / "backups"

    def backups() -> list[str]:
        return sorted(path.name for path in folder.iterdir()) if folder.exists() else []

    jobs = nightly_jobs(db, clock, "one")
    clock.current = moscow(2026, 9, 21, 17, 0)
    await jobs.catch_up()  # the first start: no backup yet, so one now
    await jobs.catch_up()
    assert backups() == ["bot-20260921T140000Z.sqlite3"]
    clock.current = moscow(2026, 9, 22, 3, 29)
    await jobs.take_backup()  # early (a job never fires early, a restart may run it)
    assert len(backups()) == 1
    clock.current = moscow(2026, 9, 22, 3, 30)
    await jobs.take_backup()
    await jobs.take_backup()  # twice: still one backup for the night
    assert backups()[1:] == ["bot-20260922T003000Z.sqlite3"]
    clock.current = moscow(2026, 9, 25, 12, 0)  # the bot was down for three nights
    await jobs.catch_up()
    await jobs.catch_up()
    assert backups()[2:] == ["bot-20260925T090000Z.sqlite3"]
    clock.current = moscow(2026, 9, 26, 3, 30)
    await jobs.renew_lease()
    await nightly_jobs(db, clock, "two").take_backup()  # a second bot on the database
    assert len(backups()) == 3
    await jobs.take_backup()
    assert backups()[3:] == ["bot-20260926T003000Z.sqlite3"]


def test_the_application_schedules_the_nightly_backup(tmp_path: Path) -> None:
    settings = load_settings(
        _env_file=None, bot_token="1:x", database_path=tmp_path / "data" / "bot.sqlite3"
    )
    jobs: Jobs = build_application(settings).dispatcher["jobs"]
    assert jobs.backups is not None
    assert jobs.backups.folder == tmp_path / "data" / "backups"
    scheduler = build_scheduler(settings)
    schedule_jobs(scheduler, settings, jobs)
    backup = next(job for job in scheduler.get_jobs() if job.id == "backup")
    night = backup.trigger.get_next_fire_time(None, dt.datetime(2026, 11, 28, 12, tzinfo=MOSCOW))
    assert night == dt.datetime(2026, 11, 29, 3, 30, tzinfo=MOSCOW)


async def test_collected_pages_get_no_report_reminders(db: Database, clock: FakeClock) -> None:
    reminders = make_reminders(db, clock)
    page = await approved_page(db, clock)
    clock.advance(8 * DAY)
    async with db.write() as repos:
        await repos.observations.observe(Count(page, 10), source="vk", run_id=None, now=clock.now())
    assert await reminders.run_due() == 0  # read from the platform today
    clock.advance(8 * DAY)
    assert await reminders.run_due() == 1  # not read for a week: silent again


async def test_the_collection_runs_at_collect_cron_and_catches_up_at_start(
    db: Database, clock: FakeClock
) -> None:
    page = await approved_page(db, clock, key="vk.com/p1")
    collector = FakeCollector(figures={"https://vk.com/p1": 5})
    jobs = nightly_jobs(db, clock, "one")
    jobs.collect = CollectService(
        db, clock, {collector.platform: collector}, cron="0 4 * * *", check=CrossCheck(tz=MOSCOW)
    )
    clock.current = moscow(2026, 9, 21, 17, 0)
    await jobs.catch_up()  # never collected: at once
    await jobs.catch_up()
    assert collector.asked == [[page]]
    clock.current = moscow(2026, 9, 22, 3, 59)
    await jobs.collect_counts()
    assert len(collector.asked) == 1
    clock.current = moscow(2026, 9, 22, 4, 0)
    await jobs.collect_counts()
    assert len(collector.asked) == 2
    settings = load_settings(_env_file=None, collect_cron="0 4 * * *", timezone="Europe/Moscow")
    scheduler = build_scheduler(settings)
    schedule_jobs(scheduler, settings, jobs)
    assert str(scheduler.get_job("collect").trigger) == str(
        CronTrigger.from_crontab("0 4 * * *", timezone=MOSCOW)
    )


async def test_a_new_leader_takes_over_the_lease_a_dead_one_left(
    db: Database, clock: FakeClock
) -> None:
    """The leader lock changed hands (the holder was killed): the new leader runs the jobs
    at once rather than LEASE_SECONDS later."""
    await approved_page(db, clock)
    clock.advance(8 * DAY)
    dead, elected = (
        Jobs(
            SchedulerLease(db, clock, name),
            SnapshotService(db, clock, MOSCOW),
            make_reminders(db, clock),
        )
        for name in ("dead", "elected")
    )
    await dead.renew_lease()
    await elected.lease.seize()
    assert not await dead.lease.hold()
    await elected.catch_up()
    assert len(await queued_texts(db)) == 1
