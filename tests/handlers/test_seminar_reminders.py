"""Seminar reminders through the bot: 24 hours and 1 hour before the start in the region's
local time, once each whatever runs the minute tick, none for a seminar that has begun or
was cancelled, and the one that fell due while the bot was down at the next start."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.config import LOCALES_DIR
from bot.domain.localtime import DAY
from bot.handlers.seminar_feedback import reminder_buttons
from bot.i18n import build_i18n
from bot.jobs import Jobs, SchedulerLease, build_scheduler, schedule_jobs
from bot.services.seminar_reminders import SeminarReminderService
from bot.storage.database import Database
from bot.texts.seminar_followups import seminar_reminder_text
from tests.builders import KUZNETSK, execute, open_database, seed_admins, store_seminar
from tests.clock import FakeClock
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.flows import alert
from tests.harness import BotHarness
from tests.storage.test_schedules import MOSCOW, moscow
from tests.users import ADMIN

HOUR = 3_600


def reminders(fake: FakeBotAPI, user: FakeUser) -> list[str]:
    """The texts of the seminar reminders `user` got, oldest first."""
    return [m.text or "" for m in fake.messages(user.id) if (m.text or "").startswith("⏰")]


def jobs_of(bot: BotHarness) -> Jobs:
    jobs: Jobs = bot.app.dispatcher["jobs"]
    return jobs


async def tick_at(bot: BotHarness, moment: int) -> None:
    """The clock shows `moment`; the minute tick runs and what it queued is delivered."""
    bot.clock.current = moment
    await jobs_of(bot).tick()
    await bot.drain()


async def test_reminders_come_a_day_and_an_hour_before_in_local_time(
    bot: BotHarness, fake: FakeBotAPI
) -> None:
    first, leaving, late = await seed_admins(bot, 3, KUZNETSK, 1000)
    await bot.send(ADMIN, "/start")
    start = moscow(2026, 10, 1, 10, 0)
    early = {user.id: bot.clock.now() for user in (first, leaving, ADMIN)}
    seminar = await store_seminar(bot.db, starts_at=start, created_by=first.id, registered=early)

    await tick_at(bot, start - DAY - 60)
    assert reminders(fake, first) == []

    await tick_at(bot, start - DAY + 30)
    await tick_at(bot, start - DAY + 90)  # the next tick finds nothing more
    [day] = reminders(fake, first)
    assert day.startswith("⏰ SMM <basics> starts in 24 hours.")
    assert "1 October 2026, 10:00, 90 min" in day  # Moscow time, not UTC
    assert "https://example.org/room?a=1&b=2" in day
    assert fake.messages(first.id)[-1].button_texts() == ["🙅 I can't come"]
    [russian] = reminders(fake, ADMIN)
    assert russian.startswith("⏰ SMM <basics> начнётся через 24 часа.")
    assert "1 октября 2026, 10:00" in russian

    # Registered after the day's reminder fell due: only the hour's one.
    async with bot.db.write() as repos:
        await repos.seminars.register(seminar, late.id, now=start - DAY + HOUR)
    # "I can't come" under the reminder gives the seat up: no hour's reminder then.
    reminder = bot.with_button(leaving, "🙅 I can't come")
    leave = reminder.find_button("🙅 I can't come")
    assert leave is not None
    assert await alert(bot, leaving, reminder, str(leave["callback_data"])) == (
        "Your registration is cancelled."
    )

    await tick_at(bot, start - HOUR - 60)
    assert reminders(fake, late) == []
    await tick_at(bot, start - HOUR)
    assert len(reminders(fake, first)) == 2
    assert reminders(fake, first)[-1].startswith("⏰ SMM <basics> starts in 1 hour.")
    [late_one] = reminders(fake, late)
    assert late_one.startswith("⏰ SMM <basics> starts in 1 hour.")
    assert reminders(fake, leaving) == []  # the reminder became the seminar's card
    assert sum(message.chat_id == leaving.id for message in fake.sent) == 1
    assert reminders(fake, ADMIN)[-1].startswith("⏰ SMM <basics> начнётся через 1 час.")

    await tick_at(bot, start + 60)  # begun: nothing more
    assert len(reminders(fake, first)) == 2


async def test_each_reminder_is_queued_once_by_two_processes_and_after_a_restart(
    bot: BotHarness, fake: FakeBotAPI, tmp_path: Path, clock: FakeClock
) -> None:
    people = await seed_admins(bot, 3, KUZNETSK, 1000)
    start = clock.now() + 2 * DAY
    registered = {user.id: clock.now() for user in people}
    await store_seminar(bot.db, starts_at=start, created_by=people[0].id, registered=registered)
    clock.current = start - DAY

    # Two processes on one database, their ticks at the same moment (no lease between).
    url = bot.db.url
    async with open_database(url) as one, open_database(url) as two:
        counts = await asyncio.gather(*(reminder_service(db, clock).run_due() for db in (one, two)))
    assert sorted(counts) == [0, 3]
    async with bot.db.read() as repos:
        assert await repos.seminar_reminders.due(now=clock.now(), leads=(1_440, 60)) == []

    # A restart: the new process catches up at start and finds everything queued. The
    # first one has sent what it found first: a process starting puts back what another
    # left sending, which is a crash's in-flight bound, not a restart's.
    await bot.drain()
    clock.advance(30)
    again = await BotHarness.start(fake, tmp_path, clock, superadmin_ids="100")
    try:
        await jobs_of(again).catch_up()
        await again.drain()
    finally:
        await again.stop()
    for user in people:
        assert len(reminders(fake, user)) == 1


def reminder_service(db: Database, clock: FakeClock) -> SeminarReminderService:
    """The reminder service of one process on `db`, with the default leads."""
    render = seminar_reminder_text(build_i18n(LOCALES_DIR, "ru"), MOSCOW, reminder_buttons)
    return SeminarReminderService(db, clock, leads=(1_440, 60), render=render, wake=lambda: None)


async def test_after_downtime_only_the_nearest_reminder_and_none_when_begun_or_cancelled(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock
) -> None:
    [person] = await seed_admins(bot, 1, KUZNETSK, 1000)
    registered = {person.id: clock.now()}
    start = clock.now() + 3 * DAY
    held = await store_seminar(bot.db, starts_at=start, created_by=person.id, registered=registered)
    cancelled = await store_seminar(
        bot.db, starts_at=start + 60, created_by=person.id, registered=registered
    )
    await execute(
        bot.db,
        "UPDATE seminars SET cancelled_at = :now WHERE id = :id",
        {"now": clock.now(), "id": cancelled},
    )
    await store_seminar(  # begun a day before the others
        bot.db, starts_at=start - DAY, created_by=person.id, registered=registered
    )

    # Down from before any reminder fell due until 30 minutes before the start: both of
    # the held seminar's fell due meanwhile, one message goes; the begun one gets none.
    clock.current = start - 30 * 60
    await jobs_of(bot).catch_up()
    await bot.drain()
    [late] = reminders(fake, person)
    assert late.startswith("⏰ SMM <basics> starts in 30 minutes.")
    async with bot.db.read() as repos:
        # The day's reminder is recorded as done too: the next tick does not send it.
        assert await repos.seminar_reminders.due(now=clock.now(), leads=(1_440, 60)) == []
        assert await repos.seminars.registrations([held], [person.id])

    await tick_at(bot, start - 29 * 60)
    assert len(reminders(fake, person)) == 1


async def test_the_tick_runs_every_minute_in_the_process_holding_the_lease(
    bot: BotHarness, fake: FakeBotAPI, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    jobs = jobs_of(bot)
    assert set(jobs.every_minute) == {"seminar-reminders", "seminar-feedback"}
    settings = bot.app.settings
    scheduler = build_scheduler(settings)
    schedule_jobs(scheduler, settings, jobs)
    tick = next(job for job in scheduler.get_jobs() if job.id == "tick")
    assert tick.trigger.interval == dt.timedelta(minutes=1)

    [person] = await seed_admins(bot, 1, KUZNETSK, 1000)
    start = clock.now() + 2 * HOUR
    await store_seminar(
        bot.db, starts_at=start, created_by=person.id, registered={person.id: clock.now()}
    )
    clock.current = start - HOUR
    second = Jobs(
        SchedulerLease(bot.db, clock, "second"),
        jobs.snapshots,
        jobs.reminders,
        every_minute=jobs.every_minute,
    )
    await jobs.renew_lease()
    caplog.set_level(logging.INFO, logger="bot.jobs")
    await second.tick()
    await bot.drain()
    assert reminders(fake, person) == []
    await tick_at(bot, clock.now())
    assert len(reminders(fake, person)) == 1
    # A tick that did nothing, or that another process runs, fills no log every minute.
    assert [r.getMessage() for r in caplog.records] == ["Job seminar-reminders done: 1"]
