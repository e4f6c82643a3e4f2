"""A broadcast through the delivery worker, against a naive sequential loop.

Both send a copy of one message to RECIPIENTS chats through the fake Bot API server
(tests/fakes/bot_api.py) set up like a busy Telegram: a global limit of RATE messages a
second (a sliding one-second window; over it the fake answers 429), LATENCY seconds per
send, and 2 % of sends answered 429 with retry_after 1 s (seeded, so repeatable).

- The worker: `DeliveryWorker(global_rate=RATE)` in this process on a temporary database
  with the broadcast's rows queued (`repos.outbox.add_many`), as the bot runs it.
- The baseline, against a fresh fake with the same settings: a plain loop that sends each
  copy with `bot.copy_message`, sleeps 1/RATE seconds between sends, and on 429 sleeps
  `retry_after` and sends again.

For each: messages delivered / wall time from the start to the last delivery, as a ratio
of RATE (target >= 0.9 for the worker), recipients lost and extra copies (target 0 and
0), the 429s (and how many of them the fake's own rate limit gave), the most messages the
fake accepted in any one second; then the worker's speed-up over the baseline.

    python bench/broadcast.py                              # 2,000 recipients, 100 msg/s
    python bench/broadcast.py --recipients 300 --rate 50   # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter

from bot.services.clock import SystemClock
from bot.services.delivery import DeliveryWorker, Priority
from bot.storage.database import Database
from bot.storage.outbox import OutboxKind, OutboxStatus, copy_payload
from tests.fakes.bot_api import FakeBotAPI, FakeUser

FIRST_RECIPIENT = 10_000
SOURCE = FakeUser(id=100, first_name="Coordinator")
TEXT = "Семинар для администраторов госпабликов в пятницу в 11:00"
FINAL = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED, OutboxStatus.CANCELLED)


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class Options:
    recipients: int
    rate: int
    latency: float
    p429: float
    seed: int


@dataclass(frozen=True)
class Result:
    name: str
    delivered: int  # recipients with at least one copy
    lost: int
    duplicated: int  # copies beyond the first
    failed: int  # sends the sender gave up on (the baseline counts them, the worker's rows)
    wall: float  # start → last delivery
    refused: int  # 429 answers
    refused_by_limit: int  # of which the fake's own global rate limit
    peak: int  # most accepted sends in any one-second window
    rate: float  # delivered / wall

    def row(self, limit: int) -> str:
        return (
            f"{self.name:<24}{self.delivered:>9,}{self.lost:>6}{self.duplicated:>6}"
            f"{self.refused:>7}{self.refused_by_limit:>7}{self.peak:>7}"
            f"{self.wall:>9.1f}{self.rate:>8.1f}{self.rate / limit:>7.2f}"
        )


HEADER = (
    f"{'':<24}{'delivered':>9}{'lost':>6}{'dup':>6}{'429s':>7}{'limit':>7}{'peak':>7}"
    f"{'wall s':>9}{'msg/s':>8}{'ratio':>7}"
)


def new_fake(options: Options) -> FakeBotAPI:
    fake = FakeBotAPI()
    fake.global_rate_limit = options.rate
    fake.latency = options.latency
    fake.inject_probability(error_code=429, retry_after=1, p=options.p429, seed=options.seed)
    return fake


def prepare(fake: FakeBotAPI, options: Options) -> tuple[list[int], int]:
    """The recipients (known to the fake) and the id of the message they get a copy of."""
    chats = [FIRST_RECIPIENT + i for i in range(options.recipients)]
    for chat in chats:
        fake.add_user(FakeUser(id=chat, first_name=f"Admin {chat}"))
    source = fake.message_update(SOURCE, TEXT)["message"]
    return chats, int(source["message_id"])


def measure(
    name: str, fake: FakeBotAPI, chats: list[int], started: float, limit: int, failed: int
) -> Result:
    copies = Counter(m.chat_id for m in fake.sent if m.method == "copyMessage")
    sends = [call for call in fake.requests if call.method == "copyMessage"]
    accepted = sorted(call.finished_at for call in sends if call.ok)
    if not accepted:
        raise BenchError(f"{name}: nothing was delivered")
    # The fake counts a send against its limit and logs the call in one go, so a 429
    # answered when `limit` sends had been accepted in the second before came from the
    # limit, not from the injected faults.
    refused = [call.finished_at for call in sends if call.error_code == 429]
    by_limit = sum(
        bisect.bisect_left(accepted, t) - bisect.bisect_right(accepted, t - 1.0) >= limit
        for t in refused
    )
    peak = max(
        bisect.bisect_right(accepted, t + 1.0 - 1e-9) - bisect.bisect_left(accepted, t)
        for t in accepted
    )
    delivered = len(copies.keys() & set(chats))
    wall = accepted[-1] - started
    return Result(
        name=name,
        delivered=delivered,
        lost=len(set(chats) - copies.keys()),
        duplicated=sum(copies.values()) - len(copies),
        failed=failed,
        wall=wall,
        refused=len(refused),
        refused_by_limit=by_limit,
        peak=peak,
        rate=delivered / wall,
    )


async def wait_until(
    fake: FakeBotAPI, holds: Callable[[], Awaitable[bool]], within: float, what: str
) -> None:
    """Look again whenever the fake answers a send; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not await holds():
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise BenchError(f"{what}: not within {within:.0f} s")
        with contextlib.suppress(TimeoutError):
            await fake.wait_for("copyMessage", timeout=min(remaining, 0.5))


async def run_worker(options: Options, folder: Path) -> Result:
    clock = SystemClock()
    db = Database(folder / "bench.sqlite3")
    await db.connect()
    try:
        async with new_fake(options) as fake, fake.make_bot() as bot:
            chats, message_id = prepare(fake, options)
            payload = copy_payload(SOURCE.id, message_id)
            async with db.write() as repos:
                await repos.outbox.add_many(
                    OutboxKind.COPY,
                    ((chat, payload) for chat in chats),
                    priority=Priority.BROADCAST,
                    now=clock.now(),
                )

            async def settled() -> bool:
                async with db.read() as repos:
                    counts = await repos.outbox.status_counts()
                return sum(counts[status] for status in FINAL) >= len(chats)

            worker = DeliveryWorker(db, bot, clock, global_rate=options.rate)
            started = time.monotonic()
            await worker.start()
            try:
                await wait_until(
                    fake, settled, 60 + 10 * len(chats) / options.rate, "the worker's broadcast"
                )
            finally:
                await worker.stop()
            async with db.read() as repos:
                counts = await repos.outbox.status_counts()
            failed = counts[OutboxStatus.FAILED] + counts[OutboxStatus.BLOCKED]
            return measure("delivery worker", fake, chats, started, options.rate, failed)
    finally:
        await db.close()


async def naive_broadcast(bot: Bot, chats: list[int], message_id: int, rate: int) -> int:
    """The baseline: one copy after another; returns how many it gave up on."""
    failed = 0
    for chat in chats:
        while True:
            try:
                await bot.copy_message(chat_id=chat, from_chat_id=SOURCE.id, message_id=message_id)
            except TelegramRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except TelegramAPIError:
                failed += 1
            break
        await asyncio.sleep(1 / rate)
    return failed


async def run_baseline(options: Options) -> Result:
    async with new_fake(options) as fake, fake.make_bot() as bot:
        chats, message_id = prepare(fake, options)
        started = time.monotonic()
        failed = await naive_broadcast(bot, chats, message_id, options.rate)
        return measure("naive sequential loop", fake, chats, started, options.rate, failed)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--rate", type=int, default=100, help="the fake's global limit, msg/s")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per send")
    parser.add_argument("--p429", type=float, default=0.02, help="share of sends refused")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.recipients < 1 or args.rate < 1:
        parser.error("--recipients and --rate must be positive")
    options = Options(args.recipients, args.rate, args.latency, args.p429, args.seed)
    # One warning line per 429 would drown the table.
    logging.basicConfig(level=logging.ERROR)

    print(
        f"broadcast to {options.recipients:,} recipients; fake Bot API: limit"
        f" {options.rate} msg/s (1 s sliding window), latency {options.latency:.2f} s,"
        f" {options.p429:.0%} of sends refused with 429 retry_after 1 s (seed {options.seed})"
    )
    with tempfile.TemporaryDirectory() as folder:
        worker = await run_worker(options, Path(folder))
    baseline = await run_baseline(options)

    print(HEADER)
    for result in (worker, baseline):
        print(result.row(options.rate))
    print(
        "  429s: all refusals; limit: those from the fake's rate limit;"
        " peak: most sends accepted in one second; ratio: msg/s / limit"
    )
    for result in (worker, baseline):
        if result.failed:
            print(f"  {result.name}: {result.failed} sends given up on")
    print(f"speed-up of the worker over the baseline: {worker.rate / baseline.rate:.1f}x")
    ratio = worker.rate / options.rate
    print(
        f"worker: rate ratio {ratio:.2f} (target >= 0.90: {'met' if ratio >= 0.9 else 'MISSED'}),"
        f" lost {worker.lost} (target 0), duplicated {worker.duplicated} (target 0)"
    )


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BenchError as exc:
        raise SystemExit(f"benchmark failed: {exc}") from None
