"""Three replicas behind nginx on one PostgreSQL database, and the leader killed in the
middle of a broadcast while administrators report figures.

What the README promises for several replicas ("Webhook mode and several replicas",
"Messages the bot sends on its own"):

- the leader lock goes away with a killed leader: a follower leads within a few
  heartbeats, sets the webhook again and finishes the broadcast; nobody is lost and
  duplicates stay within the delivery worker's concurrency;
- an update in flight in the killed replica was never answered, so Telegram posts it
  again and nginx hands it to a live replica: each report is stored exactly once;
- one user's updates are handled in the order they were sent, whichever replica
  handles each.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services.broadcasts import BroadcastService
from bot.services.clock import SystemClock
from bot.storage.broadcasts import BroadcastStatus
from bot.storage.outbox import OutboxStatus
from tests.builders import open_database
from tests.e2e.nginx import Nginx, nginx_binary
from tests.e2e.process import (
    EXIT_TIMEOUT,
    REPLY_TIMEOUT,
    ROOT,
    STARTUP_TIMEOUT,
    BotProcess,
    free_port,
    webhook_env,
)
from tests.e2e.test_crash import (
    CONCURRENCY,
    COORDINATOR,
    LATENCY,
    RATE,
    RECIPIENTS,
    TEXT,
    copies,
    kill_after_copies,
    prepare_broadcast,
    recipient_ids,
    wait_until,
)
from tests.fakes.bot_api import FakeBotAPI, FakeUser
from tests.postgres import PostgresServer

# The takeover is timed in heartbeats: runs alone (see the Makefile).
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.serial,
    pytest.mark.skipif(
        nginx_binary() is None, reason="nginx is not installed (apt-get install nginx-light)"
    ),
]

REPLICAS = 3
HEARTBEAT = 0.5
#: A follower leads within this many heartbeats of the leader's death.
TAKEOVER_HEARTBEATS = 6
#: Administrators whose report is being answered when the leader dies: nginx hands the
#: posts to the replicas in turn, so each replica, the leader too, has at least two.
REPORTERS = 2 * REPLICAS
#: What one more administrator sends in a row, as fast as they can.
FIGURES = [501, 502, 503, 504, 505, 506]
#: Seconds between the leader's edits of the broadcast's progress message.
PROGRESS = 1.0
SERVING = "Serving the webhook"
LEADS = " leads"


async def attach_progress(fake: FakeBotAPI, url: str, broadcast_id: int) -> None:
    """The coordinator's progress message of the broadcast, as /broadcast leaves it: a
    message of the bot's that the leader edits with the progress."""
    async with fake.make_bot() as bot:
        message = await bot.send_message(COORDINATOR.id, "…")
    async with open_database(url) as db:
        service = BroadcastService(db, SystemClock(), wake=lambda: None)
        await service.attach_progress(broadcast_id, COORDINATOR.id, message.message_id)


def distinct_ports(count: int) -> list[int]:
    """`count` different free ports."""
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


async def pages_of(url: str, users: Sequence[int]) -> dict[int, int]:
    """Each user's (first) page id."""
    async with open_database(url) as db, db.read() as repos:
        return {user: (await repos.pages.of_admin(user))[0].id for user in users}


async def first_to_log(bots: Sequence[BotProcess], text: str) -> BotProcess:
    """The first of `bots` to log `text` (each fails after STARTUP_TIMEOUT, or if its
    process exits first)."""
    waits = {asyncio.ensure_future(bot.logged(text)): bot for bot in bots}
    try:
        done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
    first = done.pop()
    first.result()
    return waits[first]


async def test_killing_the_leader_mid_broadcast_loses_nothing_and_stores_each_report_once(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    url = await postgres_server.migrated_database()
    recipients = set(recipient_ids())
    reporters = recipient_ids()[:REPORTERS]
    orderly = recipient_ids()[REPORTERS]
    loop = asyncio.get_running_loop()

    async with FakeBotAPI() as fake:
        users = {
            uid: fake.add_user(FakeUser(id=uid, first_name=f"Admin {uid}")) for uid in recipients
        }
        source = fake.message_update(COORDINATOR, TEXT)["message"]
        broadcast_id = await prepare_broadcast(url, source["message_id"])
        await attach_progress(fake, url, broadcast_id)
        pages = await pages_of(url, [*reporters, orderly])
        fake.latency = LATENCY
        # The broadcast waits at the door until every replica serves.
        broadcast_held = fake.hold("copyMessage")

        ports = distinct_ports(REPLICAS)
        location = Settings.model_fields["webhook_path"].default
        nginx = await Nginx.start(tmp_path / "nginx", ports, location)
        bots: list[BotProcess] = []
        try:
            started = loop.time()
            for n, port in enumerate(ports):
                env = webhook_env(
                    fake,
                    tmp_path / f"replica-{n}.sqlite3",  # unused: DATABASE_URL wins
                    database_url=url,
                    webhook_url=nginx.url,
                    webhook_port=port,
                    leader_heartbeat_seconds=HEARTBEAT,
                    delivery_rate_per_second=RATE,
                    broadcast_progress_seconds=PROGRESS,
                    # No scheduled job sends a message the test would have to tell apart.
                    scheduler_enabled=False,
                )
                bots.append(await BotProcess.start(env, ROOT, "webhook"))
            await asyncio.gather(*(bot.logged(SERVING) for bot in bots))
            start_up = loop.time() - started
            leaders = [bot for bot in bots if LEADS in bot.stderr]
            assert len(leaders) == 1, [bot.describe() for bot in bots]
            [leader] = leaders
            followers = [bot for bot in bots if bot is not leader]
            [first_hook] = fake.calls("setWebhook")
            assert first_hook.params["url"] == nginx.url + location

            # Reports whose answers wait at the door: their handlers have stored them
            # and are in the middle of a request, in every replica.
            answers_held = fake.hold("sendMessage")
            reports = {
                uid: fake.say(users[uid], f"/report {pages[uid]} {400 + n}")
                for n, uid in enumerate(reporters)
            }
            in_order = [
                fake.say(users[orderly], f"/report {pages[orderly]} {figure}") for figure in FIGURES
            ]
            await leader.until(
                fake.wait_held(answers_held, REPLY_TIMEOUT, count=REPORTERS + 1),
                "every report's answer at the door",
            )

            broadcast_held.release()
            before_kill = len(fake.requests)
            # SIGKILL: the lock, the claimed rows, the handlers in flight: all cut off.
            at_kill = await kill_after_copies(
                fake, leader, RECIPIENTS // 3, "a third of the broadcast before the kill"
            )
            assert leader.process.returncode == -signal.SIGKILL, leader.describe()
            assert at_kill < RECIPIENTS, "the broadcast was over before the kill"
            answers_held.release()

            successor = await first_to_log(followers, LEADS)
            assert leader.killed_at is not None
            takeover = loop.time() - leader.killed_at
            await successor.until(
                fake.wait_for("setWebhook", timeout=STARTUP_TIMEOUT, since=before_kill),
                "the new leader's setWebhook",
            )
            await wait_until(
                fake,
                successor,
                lambda: copies(fake).keys() >= recipients,
                "every recipient's copy after the takeover",
            )
            await successor.until(
                fake.wait_for(
                    "editMessageText",
                    lambda call: str(call.params.get("text")).startswith(
                        f"Broadcast #{broadcast_id} is finished.\nDelivered: {RECIPIENTS} of"
                    ),
                    timeout=STARTUP_TIMEOUT,
                    since=before_kill,
                ),
                "the final progress report from the new leader",
            )
            for update in [*reports.values(), *in_order]:
                await successor.until(
                    fake.wait_confirmed(update["update_id"], REPLY_TIMEOUT),
                    f"update {update['update_id']} answered 200",
                )
            # The successor last: nobody else takes over and sets the webhook a third time.
            for bot in sorted(followers, key=lambda bot: bot is successor):
                assert await bot.stop(EXIT_TIMEOUT) == 0, bot.describe()
        finally:
            for bot in bots:
                await bot.kill()
            await nginx.stop()
        assert not fake.internal_errors, fake.internal_errors

    received = copies(fake)
    duplicated = {chat: n for chat, n in received.items() if n > 1}
    report_ids = {update["update_id"] for update in [*reports.values(), *in_order]}
    posted_again = {d.update_id for d in fake.webhook_deliveries if not d.ok} & report_ids
    print(
        f"\n{REPLICAS} replicas started in {start_up:.1f} s; leader killed after {at_kill}"
        f" of {RECIPIENTS} copies; a follower led {takeover:.2f} s later"
        f" (heartbeat {HEARTBEAT} s); {sum(received.values()) - RECIPIENTS} extra copies"
        f" (bound {CONCURRENCY}); {len(posted_again)} reports posted again"
    )

    assert received.keys() == recipients, sorted(recipients - received.keys())[:10]
    assert sum(received.values()) - RECIPIENTS <= CONCURRENCY, duplicated
    assert takeover <= TAKEOVER_HEARTBEATS * HEARTBEAT, takeover
    assert posted_again, "no report was in flight in the killed leader"
    assert len(fake.calls("setWebhook")) == 2
    assert fake.calls("getUpdates") == []

    async with open_database(url) as db, db.read() as repos:
        rows = await repos.outbox.counts_for_broadcast(broadcast_id)
        broadcast = await repos.broadcasts.get(broadcast_id)
        stored = {uid: await repos.reports.history(pages[uid], limit=None) for uid in pages}
        last = await repos.pages.get(pages[orderly])
    assert rows[OutboxStatus.SENT] == RECIPIENTS, rows
    assert broadcast is not None
    assert broadcast.status is BroadcastStatus.DONE
    for n, uid in enumerate(reporters):
        assert [(r.figure, r.reported_by) for r in stored[uid]] == [(400 + n, uid)]
    assert [r.figure for r in sorted(stored[orderly], key=lambda r: r.id)] == FIGURES
    assert last is not None
    assert last.current_figure == FIGURES[-1]
