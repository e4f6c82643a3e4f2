"""A crash in the middle of a broadcast: `python -m bot` is killed with SIGKILL while it
sends, started again, and finishes the broadcast.

The delivery queue's promise (README, DESIGN "delivery queue"): a crash loses nothing,
and at most the messages in flight at the moment of the crash (the worker's
`concurrency`) are sent twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.domain.catalog import Level, Theme
from bot.domain.links import parse_link
from bot.domain.roles import Actor, Role
from bot.domain.segments import Segment
from bot.services.broadcasts import BroadcastService
from bot.services.clock import SystemClock
from bot.services.delivery import DeliveryWorker
from bot.storage.outbox import OutboxStatus
from bot.storage.seed import seed_territories
from tests.builders import add_page, open_database
from tests.e2e.process import (
    EXIT_TIMEOUT,
    ROOT,
    STARTUP_TIMEOUT,
    SUPERADMIN_ID,
    TERRITORIES,
    BotProcess,
    bot_env,
)
from tests.fakes.bot_api import FakeBotAPI, FakeUser

# Measures time or rate: runs alone (see the Makefile).
pytestmark = pytest.mark.serial

RECIPIENTS = 600
FIRST_RECIPIENT = 10_000
RATE = 150  # messages a second: the broadcast takes about four seconds
LATENCY = 0.05
#: From the first start to the kill, and from the restart to the last copy.
PHASE_TIMEOUT = STARTUP_TIMEOUT
TEXT = "Внимание: семинар для администраторов госпабликов в пятницу"

COORDINATOR = FakeUser(id=SUPERADMIN_ID, first_name="Coordinator", language_code="en")

#: The most messages a crash may send twice: the worker's claimed rows whose result is
#: not committed yet, bounded by its concurrency (the default the bot runs with).
CONCURRENCY: int = inspect.signature(DeliveryWorker).parameters["concurrency"].default


def recipient_ids() -> list[int]:
    return [FIRST_RECIPIENT + i for i in range(RECIPIENTS)]


async def prepare_broadcast(database: str | Path, source_message_id: int) -> int:
    """Every recipient administers an approved page; the coordinator's broadcast to
    everybody is queued with the project's own service, in `database` (an SQLite file's
    path or a database URL). Returns the broadcast's id."""
    now = int(time.time())
    clock = SystemClock()
    async with open_database(database) as db:
        await seed_territories(db, TERRITORIES)
        async with db.write() as repos:
            await repos.users.touch(
                COORDINATOR.id,
                username=None,
                full_name=COORDINATOR.first_name,
                language_code=COORDINATOR.language_code,
                now=now,
            )
            territories = await repos.territories.all()
            for n, user_id in enumerate(recipient_ids()):
                await repos.users.touch(
                    user_id, username=None, full_name=f"Admin {n}", language_code="ru", now=now
                )
                link = parse_link(f"https://vk.com/club{user_id}")
                assert link.platform is not None
                await add_page(
                    repos,
                    link.key,
                    url=link.url,
                    platform=link.platform.value,
                    title=f"Страница {n}",
                    territory_id=territories[n % len(territories)].id,
                    level=Level.MUNICIPAL.value,
                    theme=Theme.CULTURE.value,
                    created_by=user_id,
                    decided_by=COORDINATOR.id,
                    now=now,
                )
        broadcast = await BroadcastService(db, clock, wake=lambda: None).start(
            Actor(COORDINATOR.id, Role.SUPERADMIN),
            Segment(),
            source_chat_id=COORDINATOR.id,
            source_message_id=source_message_id,
        )
        async with db.read() as repos:
            queued = await repos.outbox.counts_for_broadcast(broadcast.id)
    assert broadcast.recipients == RECIPIENTS
    assert queued[OutboxStatus.PENDING] == RECIPIENTS
    return broadcast.id


def copies(fake: FakeBotAPI) -> Counter[int]:
    """Copies of the broadcast each chat received."""
    return Counter(m.chat_id for m in fake.sent if m.method == "copyMessage")


async def wait_until(
    fake: FakeBotAPI, bot: BotProcess, holds: Callable[[], bool], what: str
) -> None:
    """Wait until `holds()`, looking again whenever the fake answers a copyMessage; fail
    after PHASE_TIMEOUT or at once if the bot exits."""

    async def next_copy(timeout: float) -> None:  # noqa: ASYNC109 - a deadline, not a wait
        with contextlib.suppress(TimeoutError):
            await fake.wait_for("copyMessage", timeout=timeout)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + PHASE_TIMEOUT
    while not holds():
        remaining = deadline - loop.time()
        if remaining <= 0:
            pytest.fail(
                f"{what}: not within {PHASE_TIMEOUT} s; {len(copies(fake))} of {RECIPIENTS}"
                f" recipients have a copy\n{bot.describe()}"
            )
        await bot.until(next_copy(min(remaining, 1.0)), what)


async def kill_after_copies(fake: FakeBotAPI, bot: BotProcess, count: int, what: str) -> int:
    """Wait until `count` recipients have a copy (see `wait_until`), then SIGKILL `bot`
    (however the wait ends: no shutdown, no result recorded after this); returns how many
    recipients had a copy at the kill."""
    try:
        await wait_until(fake, bot, lambda: len(copies(fake)) >= count, what)
        return len(copies(fake))
    finally:
        await bot.kill()


async def test_a_broadcast_killed_halfway_loses_nobody_and_duplicates_at_most_in_flight(
    tmp_path: Path,
) -> None:
    database_path = tmp_path / "bot.sqlite3"
    recipients = set(recipient_ids())

    async with FakeBotAPI() as fake:
        for user_id in recipients:
            fake.add_user(FakeUser(id=user_id, first_name=f"Admin {user_id}"))
        # The coordinator's message the broadcast copies, as the fake knows it.
        source = fake.message_update(COORDINATOR, TEXT)["message"]
        broadcast_id = await prepare_broadcast(database_path, source["message_id"])
        fake.latency = LATENCY

        env = bot_env(fake, database_path, delivery_rate_per_second=RATE)

        first = await BotProcess.start(env, ROOT)
        at_kill = await kill_after_copies(
            fake, first, RECIPIENTS // 2, "half of the broadcast before the crash"
        )
        assert first.process.returncode == -9, first.describe()
        assert at_kill < RECIPIENTS, "the broadcast was over before the crash"

        second = await BotProcess.start(env, ROOT)
        try:
            await wait_until(
                fake,
                second,
                lambda: copies(fake).keys() >= recipients,
                "every recipient's copy after the restart",
            )
            code = await second.stop(EXIT_TIMEOUT)
            assert code == 0, second.describe()
        finally:
            await second.kill()
        assert not fake.internal_errors

    received = copies(fake)
    lost = recipients - received.keys()
    duplicated = {chat: n for chat, n in received.items() if n > 1}
    resent = re.search(r"Delivery: (\d+) messages were being sent", second.stderr)
    print(
        f"\n{RECIPIENTS} recipients, killed after {at_kill} copies;"
        f" {len(duplicated)} recipients got a copy twice or more"
        f" ({sum(duplicated.values()) - len(duplicated)} extra copies),"
        f" bound {CONCURRENCY} (DeliveryWorker concurrency);"
        f" rows put back at restart: {resent.group(1) if resent else 'not logged'}"
    )

    assert not lost, f"{len(lost)} recipients never got the broadcast: {sorted(lost)[:10]}"
    assert received.keys() == recipients, "a copy went to somebody outside the broadcast"
    assert all(m.text == TEXT for m in fake.sent if m.method == "copyMessage")
    assert sum(received.values()) - RECIPIENTS <= CONCURRENCY, duplicated
    assert len(duplicated) <= CONCURRENCY, duplicated

    async with open_database(database_path) as db, db.read() as repos:
        rows = await repos.outbox.counts_for_broadcast(broadcast_id)
    assert rows[OutboxStatus.SENT] == RECIPIENTS, rows
