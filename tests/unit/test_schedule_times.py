"""When the scheduled jobs fire, in the region's time zone, and which schedules are refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import load_settings
from bot.jobs import (
    Jobs,
    build_scheduler,
    ran_this_week,
    schedule_jobs,
)
from bot.services.backups import BackupService
from bot.storage.backup import BackupError
from tests.clock import FakeClock

MOSCOW = ZoneInfo("Europe/Moscow")


def test_jobs_fire_at_local_time_in_a_zone_without_daylight_saving() -> None:
    after = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    snapshot = next_fire("snapshots", "Europe/Moscow", after)
    assert snapshot.astimezone(MOSCOW).replace(tzinfo=None) == dt.datetime(2026, 12, 2, 0, 10)
    assert snapshot.astimezone(dt.UTC).hour == 21  # UTC+3 all year
    summer = next_fire("reminders", "Europe/Moscow", dt.datetime(2026, 7, 1, tzinfo=dt.UTC))
    assert summer.astimezone(dt.UTC).hour == 7


def test_jobs_fire_at_local_time_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = next_fire("reminders", "Europe/Berlin", dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC))
    after = next_fire("reminders", "Europe/Berlin", dt.datetime(2026, 3, 29, 12, tzinfo=dt.UTC))
    assert before.astimezone(berlin).hour == after.astimezone(berlin).hour == 10
    assert before.astimezone(dt.UTC).hour == 9  # CET
    assert after.astimezone(dt.UTC).hour == 8  # CEST, the next morning


async def test_jobs_have_fixed_ids_and_a_generous_misfire_grace() -> None:
    settings = load_settings(_env_file=None, bot_token="1:x")
    scheduler: AsyncIOScheduler = build_scheduler(settings)
    jobs = Jobs(lease=None, snapshots=None, reminders=None)  # type: ignore[arg-type]
    schedule_jobs(scheduler, settings, jobs)
    schedule_jobs(scheduler, settings, jobs)  # a second call replaces, never duplicates
    scheduler.start(paused=True)
    try:
        assert sorted(job.id for job in scheduler.get_jobs()) == [
            "lease",
            "reminders",
            "snapshots",
        ]
        assert all(job.misfire_grace_time >= 3600 for job in scheduler.get_jobs())
    finally:
        scheduler.shutdown(wait=False)


@pytest.mark.parametrize("cron", ["61 * * * *", "every day"])
@pytest.mark.parametrize("name", ["reminder_cron", "backup_cron"])
def test_a_bad_schedule_is_refused_at_start(name: str, cron: str) -> None:
    from bot.config import SettingsError

    with pytest.raises(SettingsError, match=name.upper()):
        load_settings(_env_file=None, bot_token="1:x", **{name: cron})


def test_backups_go_beside_the_database_unless_told_otherwise() -> None:
    def folder(**values: object) -> Path:
        settings = load_settings(_env_file=None, bot_token="1:x", **values)
        return BackupService.from_settings(settings, FakeClock()).folder

    assert folder() == Path("data/backups")
    assert folder(database_path="/data/bot.sqlite3") == Path("/data/backups")
    assert folder(database_path="/data/bot.sqlite3", backup_dir="/mnt/safe") == Path("/mnt/safe")
    assert folder(database_path="/data/bot.sqlite3", backup_dir="old") == Path("/data/old")
    assert folder(database_url="sqlite+aiosqlite:////srv/bot.db") == Path("/srv/backups")


def test_the_bot_does_not_back_postgresql_up() -> None:
    settings = load_settings(
        _env_file=None, bot_token="1:x", database_url="postgresql+asyncpg://bot@db/bot"
    )
    with pytest.raises(BackupError, match="pg_dump"):
        BackupService.from_settings(settings, FakeClock())


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2026, 11, 30, 8, 59, tzinfo=MOSCOW), False),  # Monday, before 09:00
        (dt.datetime(2026, 11, 30, 9, 0, tzinfo=MOSCOW), True),
        (dt.datetime(2026, 12, 3, 15, 0, tzinfo=MOSCOW), True),  # Thursday: missed, still due
        (dt.datetime(2026, 12, 6, 23, 0, tzinfo=MOSCOW), True),
    ],
)
def test_a_restart_catches_up_the_weekly_digest_only_after_its_time(
    moment: dt.datetime, expected: bool
) -> None:
    assert ran_this_week("0 9 * * mon", moment) is expected


def next_fire(job_id: str, timezone: str, after: dt.datetime) -> dt.datetime:
    settings = load_settings(_env_file=None, bot_token="1:x", timezone=timezone)
    scheduler = build_scheduler(settings)
    jobs = Jobs(lease=None, snapshots=None, reminders=None)  # type: ignore[arg-type]
    schedule_jobs(scheduler, settings, jobs)
    job = next(job for job in scheduler.get_jobs() if job.id == job_id)
    fire: dt.datetime = job.trigger.get_next_fire_time(None, after)
    return fire
