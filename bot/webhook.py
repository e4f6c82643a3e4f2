"""Webhook mode: Telegram posts each update to WEBHOOK_URL + WEBHOOK_PATH, an aiohttp
server here hands it to the same dispatcher that polling feeds, and GET /healthz tells a
load balancer whether this replica takes updates.

An update is answered with 200 only once its handler has finished
(`SimpleRequestHandler(handle_in_background=False)`): a process killed in the middle
never confirmed it, so Telegram posts it again, to this replica or another one. aiogram's
default answers first and handles afterwards, which loses such an update.

Only one process calls setWebhook (`register_webhook`): the leader
(`bot.services.leadership`), each time it is elected; every replica serves the posts.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.config import Settings
from bot.middlewares.inflight import TrackingEventIsolation
from bot.storage.database import Database

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
#: Seconds /healthz waits for its database read before it answers 503.
HEALTH_READ_TIMEOUT = 2.0
#: Seconds the server gives responses still being written once the dispatcher has shut
#: down (its handlers in flight have had SHUTDOWN_GRACE_SECONDS already).
RESPONSE_GRACE_SECONDS = 2.0


async def register_webhook(bot: Bot, settings: Settings, allowed_updates: list[str]) -> None:
    """Tell Telegram to post updates to WEBHOOK_URL + WEBHOOK_PATH with WEBHOOK_SECRET
    (Bot API setWebhook: url, secret_token, allowed_updates; updates already waiting are
    kept, drop_pending_updates=False). `allowed_updates`: the update types the dispatcher
    handles (`Dispatcher.resolve_used_update_types()`). One process calls it: the
    leader, when elected. Raises SettingsError without the URL or the secret,
    aiogram's TelegramAPIError when Telegram refuses (e.g. not https, a port other than
    443, 80, 88 or 8443)."""
    target = settings.require_webhook()
    await bot.set_webhook(
        url=target.url,
        secret_token=target.secret,
        allowed_updates=allowed_updates,
        drop_pending_updates=False,
    )
    log.info("Webhook set: Telegram posts updates to %s", target.url)


class Phase(enum.Enum):
    STARTING = "starting"
    READY = "ok"
    STOPPING = "stopping"


class Health:
    """GET /healthz: 200 `{"status": "ok", "in_flight": N}` once the dispatcher has
    started and a read of the database succeeds; 503 with the reason (`starting`,
    `stopping`, `database unreachable`) otherwise. No authentication, nothing secret."""

    def __init__(self, db: Database, isolation: TrackingEventIsolation) -> None:
        self._db = db
        self._isolation = isolation
        self.phase = Phase.STARTING

    async def started(self, _app: web.Application) -> None:
        self.phase = Phase.READY

    async def stopping(self, _app: web.Application | None = None) -> None:
        self.phase = Phase.STOPPING

    async def handle(self, _request: web.Request) -> web.Response:
        if self.phase is not Phase.READY:
            return web.json_response({"status": self.phase.value}, status=503)
        try:
            async with asyncio.timeout(HEALTH_READ_TIMEOUT):
                async with self._db.read() as repos:
                    await repos.territories.all()
        except Exception:
            log.warning("Health check: the database cannot be read", exc_info=True)
            return web.json_response({"status": "database unreachable"}, status=503)
        return web.json_response({"status": "ok", "in_flight": self._isolation.in_flight})


def build_webhook_app(
    dispatcher: Dispatcher,
    bot: Bot,
    settings: Settings,
    db: Database,
    isolation: TrackingEventIsolation,
) -> tuple[web.Application, Health]:
    """The aiohttp application: POST WEBHOOK_PATH (X-Telegram-Bot-Api-Secret-Token must
    equal WEBHOOK_SECRET, else 401 and no handler runs) and GET /healthz. Its start-up
    and shutdown run the dispatcher's, as polling does. Raises SettingsError without
    WEBHOOK_URL or WEBHOOK_SECRET."""
    target = settings.require_webhook()
    app = web.Application()
    health = Health(db, isolation)
    app.router.add_get(HEALTH_PATH, health.handle)
    # Shutdown hooks run in this order: /healthz says 503 first, then the dispatcher
    # waits for handlers in flight, and only then does the handler close the bot's
    # session (it registers its own hook for that), which the handlers still use.
    app.on_shutdown.append(health.stopping)
    setup_application(app, dispatcher, bot=bot)
    app.on_startup.append(health.started)
    SimpleRequestHandler(
        dispatcher, bot, handle_in_background=False, secret_token=target.secret
    ).register(app, path=settings.webhook_path)
    return app, health


async def serve(
    app: web.Application,
    health: Health,
    settings: Settings,
    stop: asyncio.Event,
    sock: socket.socket | None = None,
    listening: asyncio.Event | None = None,
) -> None:
    """Start `app` (the dispatcher's start-up), listen on WEBHOOK_HOST:WEBHOOK_PORT (or
    on `sock`, already bound; `listening` is set from then on), and serve until `stop` is
    set; then stop listening, let the dispatcher wait for handlers in flight and shut
    down, and return. A failed start-up raises what the dispatcher's start-up raised."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=RESPONSE_GRACE_SECONDS)
    await runner.setup()
    try:
        site: web.BaseSite = (
            web.SockSite(runner, sock)
            if sock is not None
            else web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
        )
        await site.start()
        log.info(
            "Serving the webhook at %s and %s on %s",
            settings.webhook_path,
            HEALTH_PATH,
            site.name,
        )
        if listening is not None:
            listening.set()
        await stop.wait()
        log.info("Stopping the webhook server")
        await health.stopping()
    finally:
        await runner.cleanup()


@contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set `stop` on SIGTERM or SIGINT while inside (the event loop's handlers)."""
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        yield
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
