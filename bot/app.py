"""The composition root: settings → storage → services → bot → dispatcher."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import LOCALES_DIR, Settings
from bot.domain.attendance import CheckinRules
from bot.domain.crosscheck import CrossCheck
from bot.domain.links import Platform
from bot.domain.milestones import Ladders
from bot.domain.observations import Collector
from bot.handlers import get_routers, keyboards
from bot.handlers.broadcast_keyboards import stop_keyboard
from bot.handlers.menu import set_default_commands, set_user_commands
from bot.handlers.seminar_feedback import rating_buttons, reminder_buttons
from bot.i18n import build_i18n, locale_of
from bot.jobs import Jobs, SchedulerLease, build_scheduler, schedule_jobs
from bot.middlewares.callbacks import AnswerCallbackQueries, AnswerFirst
from bot.middlewares.inflight import TrackingEventIsolation
from bot.middlewares.requests import CallbackAnswers, FloodControl
from bot.middlewares.throttling import FloodGuard
from bot.middlewares.user import UserI18nMiddleware, UserMiddleware
from bot.middlewares.wizard import EndStepOnRefusal
from bot.services.attendance import AttendanceService
from bot.services.audit import AuditService
from bot.services.backups import BackupService
from bot.services.broadcasts import BroadcastService
from bot.services.certificates import CertificateService
from bot.services.charts import ChartService
from bot.services.claims import ClaimService
from bot.services.clock import Clock, SystemClock
from bot.services.collect import CollectService
from bot.services.collectors import build_collectors
from bot.services.delivery import DeliveryWorker
from bot.services.digests import DigestService
from bot.services.export_runs import ExportRuns
from bot.services.exports import ExportService
from bot.services.feedback import FeedbackService
from bot.services.flood import RateBudget
from bot.services.leadership import Leadership, replica_name
from bot.services.milestones import MilestoneService
from bot.services.progress import ProgressReporter
from bot.services.registry import RegistryService, Resolver
from bot.services.registry_import import RegistryImportService
from bot.services.reminders import ReminderService
from bot.services.reports import ReportService
from bot.services.seminar_changes import SeminarChanges
from bot.services.seminar_reminders import SeminarReminderService
from bot.services.seminars import SeminarService
from bot.services.snapshots import SnapshotService
from bot.services.totals import TotalsService
from bot.services.training import TrainingService
from bot.services.users import UserService
from bot.storage.database import Database
from bot.storage.fsm import DatabaseStorage
from bot.storage.seed import seed_territories
from bot.texts.broadcasts import progress_renderer
from bot.texts.charts import DigestCharts
from bot.texts.claims import claim_notice, hand_over_notice
from bot.texts.digests import digest_renderer
from bot.texts.milestones import milestone_text
from bot.texts.observations import discrepancy_notice
from bot.texts.registry_import import vocabulary_names
from bot.texts.reminders import reminder_text
from bot.texts.seminar_changes import change_renderer
from bot.texts.seminar_followups import feedback_question_text, seminar_reminder_text
from bot.texts.seminars import seminar_announcement
from bot.texts.waitlist import seat_notice
from bot.webhook import build_webhook_app, register_webhook, serve, stop_on_signals

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    users: UserService
    registry: RegistryService
    claims: ClaimService
    reports: ReportService
    totals: TotalsService
    broadcasts: BroadcastService
    charts: ChartService
    seminars: SeminarService
    feedback: FeedbackService
    seminar_changes: SeminarChanges
    digests: DigestService
    exports: ExportService
    audit: AuditService
    imports: RegistryImportService
    attendance: AttendanceService
    certificates: CertificateService
    training: TrainingService
    collect: CollectService

    def by_name(self) -> dict[str, Any]:
        """Every service under its field's name, the name handlers receive it by."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


def build_milestones(settings: Settings, i18n: I18n) -> MilestoneService:
    return MilestoneService(
        Ladders.from_settings(settings),
        goal=settings.region_goal,
        superadmins=settings.superadmin_ids,
        text=milestone_text(i18n, settings),
    )


def platform_collectors(settings: Settings, bot: Bot) -> dict[Platform, Collector]:
    """The platforms' collectors whose credentials are set in `settings` (Telegram's
    through `bot`), by platform; `bot.services.collectors.build_collectors` logs the
    platforms it leaves out."""
    return {collector.platform: collector for collector in build_collectors(settings, bot)}


def resolvers_of(collectors: Mapping[Platform, Collector]) -> dict[Platform, Resolver]:
    """The link step's resolvers: the `resolve(url)` of the collectors that have one
    (VK's names the community behind a screen name)."""
    found: dict[Platform, Resolver] = {}
    for platform, collector in collectors.items():
        resolve = getattr(collector, "resolve", None)
        if resolve is not None:
            found[platform] = resolve
    return found


def build_cross_check(settings: Settings) -> CrossCheck:
    """DISCREPANCY_THRESHOLD and JUMP_THRESHOLD (percent in settings) in the region's day."""
    return CrossCheck(
        discrepancy=settings.discrepancy_threshold / 100,
        jump=settings.jump_threshold / 100,
        tz=settings.tz,
    )


def build_services(
    settings: Settings,
    db: Database,
    clock: Clock,
    delivery: DeliveryWorker,
    i18n: I18n,
    milestones: MilestoneService | None = None,
    collectors: Mapping[Platform, Collector] | None = None,
) -> Services:
    charts = ChartService(db, clock, settings)
    collectors = collectors or {}
    check = build_cross_check(settings)
    return Services(
        users=UserService(db, clock, settings.superadmin_ids),
        registry=RegistryService(
            db,
            clock,
            invite_ttl_days=settings.invite_ttl_days,
            hand_over_notice=hand_over_notice(i18n),
            claim_notice=claim_notice(i18n),
            wake=delivery.wake,
            milestones=milestones,
            resolvers=resolvers_of(collectors),
        ),
        claims=ClaimService(db, clock, notice=claim_notice(i18n), wake=delivery.wake),
        reports=ReportService(db, clock, milestones=milestones, wake=delivery.wake, check=check),
        totals=TotalsService(
            db, clock, ladder=Ladders.from_settings(settings).region, tz=settings.tz
        ),
        broadcasts=BroadcastService(db, clock, wake=delivery.wake),
        charts=charts,
        seminars=SeminarService(
            db,
            clock,
            seminar_announcement(i18n, settings.tz, keyboards.seminar_actions),
            delivery.wake,
            promoted=seat_notice(i18n, settings.tz, keyboards.seminar_actions),
        ),
        feedback=FeedbackService(
            db,
            clock,
            question=feedback_question_text(i18n, settings.tz, rating_buttons),
            wake=delivery.wake,
        ),
        seminar_changes=SeminarChanges(
            db,
            clock,
            change_renderer(i18n, settings.tz),
            delivery.wake,
            promoted=seat_notice(i18n, settings.tz, keyboards.seminar_actions),
        ),
        digests=DigestService(
            db,
            clock,
            settings,
            digest_renderer(i18n, settings),
            delivery.wake,
            chart=DigestCharts(charts, i18n, settings, keyboards.digest_chart_periods),
        ),
        exports=ExportService(db, clock),
        audit=AuditService(db),
        imports=build_imports(settings, db, clock, i18n, delivery.wake),
        attendance=AttendanceService(
            db,
            clock,
            CheckinRules(settings.checkin_opens_minutes, settings.checkin_closes_minutes),
        ),
        certificates=CertificateService(db, clock),
        training=TrainingService(db, clock, settings.tz),
        collect=CollectService(
            db,
            clock,
            collectors,
            cron=settings.collect_cron,
            check=check,
            notice=discrepancy_notice(i18n),
            wake=delivery.wake,
        ),
    )


def build_imports(
    settings: Settings, db: Database, clock: Clock, i18n: I18n, wake: Callable[[], None]
) -> RegistryImportService:
    """The registry import, for the bot and the command line alike."""
    return RegistryImportService(
        db,
        clock,
        vocabulary_names(i18n),
        invite_ttl_days=settings.import_invite_ttl_days,
        wake=wake,
    )


def build_budget(settings: Settings) -> RateBudget:
    return RateBudget(
        rate=settings.delivery_rate_per_second,
        per_chat_interval=settings.delivery_per_chat_interval_seconds,
        per_chat_burst=settings.per_chat_burst,
        group_per_minute=settings.group_messages_per_minute,
    )


def build_delivery(
    settings: Settings, db: Database, bot: Bot, clock: Clock, budget: RateBudget
) -> DeliveryWorker:
    async def mark_unreachable(user_id: int) -> None:
        async with db.write() as repos:
            await repos.users.set_reachable(user_id, False, now=clock.now())

    return DeliveryWorker(
        db,
        bot,
        clock,
        global_rate=settings.delivery_rate_per_second,
        per_chat_interval=settings.delivery_per_chat_interval_seconds,
        max_attempts=settings.delivery_max_attempts,
        backoff_cap=settings.delivery_backoff_cap_seconds,
        on_unreachable=mark_unreachable,
        budget=budget,
        replica=replica_name(),
    )


def build_bot(settings: Settings, budget: RateBudget, answers: CallbackAnswers) -> Bot:
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(str(settings.telegram_api_url).rstrip("/")))
        if settings.telegram_api_url
        else AiohttpSession()
    )
    session.middleware(
        FloodControl(
            budget,
            answers,
            max_flood_wait=settings.flood_max_wait_seconds,
            max_attempts=settings.request_max_attempts,
        )
    )
    return Bot(
        token=settings.require_token().get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


async def on_startup(
    bot: Bot,
    db: Database,
    settings: Settings,
    i18n: I18n,
    users: UserService,
    leadership: Leadership,
) -> None:
    await db.connect()
    await seed_territories(db, settings.territories_file)
    with i18n.context():
        await set_default_commands(bot, i18n)
        for user, actor in await users.privileged():
            with i18n.use_locale(locale_of(user, i18n)):
                await set_user_commands(bot, actor)
    # A single process leads at once; one of several may wait for its turn.
    await leadership.start()
    log.info("Started")


async def on_shutdown(
    db: Database,
    isolation: TrackingEventIsolation,
    settings: Settings,
    leadership: Leadership,
    export_runs: ExportRuns,
) -> None:
    # Polling has stopped, but handlers of updates it already confirmed may still run:
    # they finish before the database closes, or their reports would be lost.
    if not await isolation.wait_idle(settings.shutdown_grace_seconds):
        log.warning("Stopping with %d handlers still running", isolation.in_flight)
    # An export may take minutes: it is cancelled (its files removed), not waited for.
    await export_runs.stop(settings.shutdown_grace_seconds)
    # The leader's duties stop (messages in flight finish; the rest stay queued for the
    # next leader) and the lock is given up, so another process can lead at once.
    await leadership.stop()
    await db.close()
    log.info("Stopped")


def lead(
    leadership: Leadership,
    settings: Settings,
    scheduler: AsyncIOScheduler,
    jobs: Jobs,
    delivery: DeliveryWorker,
    progress: ProgressReporter,
) -> None:
    """What the leader runs: the delivery worker, broadcast progress and the scheduler,
    started in that order when elected and stopped the other way round."""

    async def start_progress() -> None:
        progress.start()

    async def start_scheduler() -> None:
        if not settings.scheduler_enabled:
            return
        # The leader lock is this process's: a lease the dead leader left is taken over
        # rather than waited out, or the catch-up and every job would be skipped.
        await jobs.lease.seize()
        if scheduler.running:
            scheduler.resume()
        else:
            schedule_jobs(scheduler, settings, jobs)
            scheduler.start()
        # What fell due while nobody led is found in the database, not in the scheduler.
        scheduler.add_job(jobs.catch_up, id="catch-up", replace_existing=True)

    async def pause_scheduler() -> None:
        if scheduler.running:
            scheduler.pause()
            await jobs.lease.release()

    leadership.on_elected += [delivery.start, start_progress, start_scheduler]
    leadership.on_deposed += [pause_scheduler, progress.stop, delivery.stop]


async def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    """The scheduler's thread-free loop ends with the process (after the leader's duties
    stopped)."""
    if scheduler.running:
        scheduler.shutdown(wait=False)


def lead_webhook(
    leadership: Leadership, bot: Bot, settings: Settings, dispatcher: Dispatcher
) -> None:
    """In webhook mode the leader tells Telegram where to post, with the updates the
    routers use, each time it is elected; the other replicas only serve."""
    if settings.run_mode != "webhook":
        return

    async def set_webhook() -> None:
        await register_webhook(bot, settings, dispatcher.resolve_used_update_types())

    leadership.on_elected.append(set_webhook)


def build_jobs(
    settings: Settings, db: Database, i18n: I18n, clock: Clock, delivery: DeliveryWorker
) -> Jobs:
    return Jobs(
        tz=settings.tz,
        clock=clock,
        lease=SchedulerLease(db, clock),
        snapshots=SnapshotService(db, clock, settings.tz),
        reminders=ReminderService(
            db,
            clock,
            days=settings.reminder_days,
            render=reminder_text(i18n, settings.reminder_days, keyboards.report_now),
            wake=delivery.wake,
        ),
        # PostgreSQL is backed up with its own tools, not by the bot.
        backups=BackupService.from_settings(settings, clock) if db.file is not None else None,
        every_minute={
            "seminar-reminders": SeminarReminderService(
                db,
                clock,
                leads=settings.seminar_reminder_leads,
                render=seminar_reminder_text(i18n, settings.tz, reminder_buttons),
                wake=delivery.wake,
            ).run_due
        },
    )


def build_dispatcher(
    settings: Settings,
    db: Database,
    i18n: I18n,
    bot: Bot,
    budget: RateBudget,
    answers: CallbackAnswers,
    clock: Clock | None = None,
) -> Dispatcher:
    clock = clock or SystemClock()
    delivery = build_delivery(settings, db, bot, clock, budget)
    services = build_services(
        settings,
        db,
        clock,
        delivery,
        i18n,
        build_milestones(settings, i18n),
        platform_collectors(settings, bot),
    )
    progress = ProgressReporter(
        bot,
        services.broadcasts,
        services.users,
        progress_renderer(i18n, settings.delivery_rate_per_second, stop_keyboard),
        interval=settings.broadcast_progress_seconds,
    )
    jobs = build_jobs(settings, db, i18n, clock, delivery)
    jobs.collect = services.collect
    jobs.extra["digests"] = (settings.digest_cron, services.digests.run_due)
    jobs.every_minute["seminar-feedback"] = services.feedback.ask_due
    isolation = TrackingEventIsolation(shared=db.user_lock)
    leadership = Leadership(db.leader_lock, heartbeat=settings.leader_heartbeat_seconds)
    scheduler = build_scheduler(settings)
    lead(leadership, settings, scheduler, jobs, delivery, progress)
    dispatcher = Dispatcher(
        storage=DatabaseStorage(db),
        events_isolation=isolation,
        # Everything below reaches handlers and startup/shutdown callbacks by name.
        settings=settings,
        db=db,
        i18n=i18n,
        isolation=isolation,
        **services.by_name(),
        clock=clock,
        delivery=delivery,
        progress=progress,
        export_runs=ExportRuns(),
        jobs=jobs,
        budget=budget,
        scheduler=scheduler,
        leadership=leadership,
    )
    dispatcher.update.outer_middleware(UserMiddleware(services.users))
    UserI18nMiddleware(i18n).setup(dispatcher)
    # Inside the language's context, so that their answers speak the user's language.
    dispatcher.callback_query.outer_middleware(AnswerCallbackQueries(answers))
    guard = FloodGuard(settings.flood_backlog)
    answer_first = AnswerFirst(budget)
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(guard)
        observer.outer_middleware(answer_first)

    # Inner middlewares of the dispatcher wrap the handlers of every included router.
    end_step = EndStepOnRefusal()
    dispatcher.message.middleware(end_step)
    dispatcher.callback_query.middleware(end_step)
    dispatcher.include_routers(*get_routers())
    # The routers are in: the webhook names the updates they use.
    lead_webhook(leadership, bot, settings, dispatcher)
    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    dispatcher.shutdown.register(stop_scheduler)
    return dispatcher


@dataclass(frozen=True, slots=True)
class Application:
    settings: Settings
    db: Database
    i18n: I18n
    bot: Bot
    dispatcher: Dispatcher

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        """Long polling until SIGTERM or SIGINT (`handle_signals`), or until
        `dispatcher.stop_polling()`. A webhook left behind is deleted first (Telegram
        refuses getUpdates while one is set); updates waiting for it are kept."""
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
            await self.dispatcher.start_polling(self.bot, handle_signals=handle_signals)
        finally:
            await self._close()

    async def run_webhook(
        self,
        stop: asyncio.Event | None = None,
        sock: socket.socket | None = None,
        listening: asyncio.Event | None = None,
    ) -> None:
        """Serve updates posted by Telegram (bot.webhook) until SIGTERM or SIGINT, or
        until `stop` is set when given (then signals are left alone); `sock`: listen on
        this bound socket instead of WEBHOOK_HOST:WEBHOOK_PORT; `listening` is set once
        the server takes requests. Raises SettingsError without WEBHOOK_URL or
        WEBHOOK_SECRET."""
        isolation = self.dispatcher.workflow_data["isolation"]
        app, health = build_webhook_app(
            self.dispatcher, self.bot, self.settings, self.db, isolation
        )
        try:
            if stop is not None:
                await serve(app, health, self.settings, stop, sock, listening)
                return
            stop = asyncio.Event()
            with stop_on_signals(stop):
                await serve(app, health, self.settings, stop, sock, listening)
        finally:
            await self._close()

    async def _close(self) -> None:
        # A failed start-up skips the dispatcher's shutdown: close what it opened,
        # or the database's worker thread keeps the process alive.
        await self.db.close()
        await self.bot.session.close()


def build_application(settings: Settings, clock: Clock | None = None) -> Application:
    db = Database(settings.database)
    i18n = build_i18n(LOCALES_DIR, settings.default_locale)
    # One budget for answers and the delivery queue alike.
    budget = build_budget(settings)
    answers = CallbackAnswers()
    bot = build_bot(settings, budget, answers)
    return Application(
        settings=settings,
        db=db,
        i18n=i18n,
        bot=bot,
        dispatcher=build_dispatcher(settings, db, i18n, bot, budget, answers, clock),
    )
