"""Answer latency of /total with the bot idle, against the same while a broadcast runs.

The real Dispatcher (tests/harness.py, started as in production: delivery worker, rate
budget, request middleware) runs against the fake Bot API server (tests/fakes/bot_api.py)
with Telegram's limits on (30 messages a second for the bot, per private chat a burst of
3 then one a second; over them the fake answers 429) and LATENCY seconds per request.

Seeded directly in the database: RECIPIENTS administrators of approved pages in Kuznetsk
(the broadcast's audience) and 2 x SAMPLES administrators of approved pages in Penza who
ask /total, each once, a new one every GAP seconds give or take a fifth (seeded: about
as often as a region's users write while a broadcast runs), so no chat's own limit is
what is measured. In the same run:

- (a) idle: SAMPLES users ask /total with nothing else going on;
- (b) under load: a coordinator composes a broadcast to Kuznetsk through the bot's own
  dialogue and sends it; once the first copy reaches a recipient, SAMPLES other users ask
  /total while the delivery queue sends RECIPIENTS copies.

Each answer is timed from the moment its update is fed to the dispatcher to the moment
the fake has created the answer's message (what the user waits for: the request arrives,
the fake spends LATENCY on it, the message exists); the time until the request arrived
(the bot's own share) and until `feed` returned are shown beside it. The broadcast's
rate is the successful copyMessage calls to recipients, counted at the fake between the
first and the last (n - 1 intervals over their span), as a share of the 30 a second
limit.

Prints p50 and p99 for (a) and (b), then p99(b)/p99(a) (target <= 2), p99 under load
(target < 1.5 s), the 429s the bot provoked (target 0) and the broadcast's rate as a
share of the limit (target >= 0.9), each with PASS or MISS; then where the time went.

    python bench/latency.py                                 # 2,000 recipients, 60 samples
    python bench/latency.py --recipients 400 --samples 15   # a quick run
    python bench/latency.py --gap 0.25 --samples 150        # a busier bot
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.flood import Lane, RateBudget, current_lane
from tests.builders import KUZNETSK, PENZA, seed_admins
from tests.clock import FakeClock
from tests.fakes.bot_api import TELEGRAM_GLOBAL_PER_SECOND, Call, FakeBotAPI, FakeUser
from tests.harness import BotHarness

COORDINATOR = FakeUser(id=100, first_name="Coordinator", language_code="en")
FIRST_RECIPIENT = 100_000
FIRST_ASKER = 1_000_000
TEXT = "Seminar for the administrators of official pages on Friday at 11:00"
ANSWER_MARK = "Subscriptions to official pages"  # in every English /total answer
WARM_UP = 5  # untimed /total first: the first answers load caches and templates
LIMIT = TELEGRAM_GLOBAL_PER_SECOND

TARGET_RATIO = 2.0
TARGET_P99 = 1.5
TARGET_RATE = 0.9


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class Options:
    recipients: int
    samples: int
    latency: float
    seed: int
    gap: float  # seconds between two users' /total


@dataclass(frozen=True)
class Asked:
    """One /total: loop times (time.monotonic, as the fake's) of each step."""

    user: int
    fed: float
    returned: float
    budget_wait: float  # time the answer's sendMessage waited for the rate budget


@dataclass(frozen=True)
class Timed:
    asked: Asked
    call: Call

    @property
    def to_received(self) -> float:
        return self.call.at - self.asked.fed

    @property
    def to_created(self) -> float:
        return self.call.finished_at - self.asked.fed

    @property
    def to_returned(self) -> float:
        return self.asked.returned - self.asked.fed

    @property
    def handler(self) -> float:
        """Fed → sendMessage arrives, less the wait for the budget."""
        return self.to_received - self.asked.budget_wait


def p99(values: Sequence[float]) -> float:
    """Nearest rank: the smallest value at least 99 % of the values are at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


def p50(values: Sequence[float]) -> float:
    return statistics.median(values)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def verdict(met: bool) -> str:
    return "PASS" if met else "MISS"


class BudgetWaits:
    """Times each direct `acquire` of the bot's rate budget, by the chat it is for."""

    def __init__(self, budget: RateBudget) -> None:
        self.by_chat: dict[int, float] = {}
        acquire = budget.acquire

        async def timed(
            chat_id: int | None = None, count: int = 1, lane: Lane | None = None
        ) -> None:
            if chat_id is None or (lane or current_lane()) is not Lane.DIRECT:
                return await acquire(chat_id, count, lane)
            started = time.monotonic()
            try:
                return await acquire(chat_id, count, lane)
            finally:
                self.by_chat[chat_id] = self.by_chat.get(chat_id, 0.0) + (
                    time.monotonic() - started
                )

        budget.acquire = timed  # type: ignore[method-assign]


async def ask(harness: BotHarness, waits: BudgetWaits, user: FakeUser) -> Asked:
    update = harness.fake.message_update(user, "/total")
    fed = time.monotonic()
    await harness.feed(update)
    returned = time.monotonic()
    return Asked(user.id, fed, returned, waits.by_chat.get(user.id, 0.0))


async def run_phase(
    harness: BotHarness,
    waits: BudgetWaits,
    users: Sequence[FakeUser],
    rng: random.Random,
    gap: float,
) -> list[Timed]:
    """Each user asks /total once, a new one every `gap` seconds (give or take a fifth),
    not waiting for answers."""
    tasks = []
    for n, user in enumerate(users):
        if n:
            await asyncio.sleep(rng.uniform(0.8 * gap, 1.2 * gap))
        tasks.append(asyncio.create_task(ask(harness, waits, user)))
    asked = await asyncio.gather(*tasks)
    answers = {
        int(call.params["chat_id"]): call
        for call in harness.fake.requests
        if call.method == "sendMessage" and call.ok
    }
    timed = []
    for one in asked:
        call = answers.get(one.user)
        if call is None:
            raise BenchError(f"user {one.user} got no answer to /total")
        message = harness.fake.last_message(one.user)
        if ANSWER_MARK not in (message.text or ""):
            raise BenchError(f"user {one.user} got an unexpected answer: {message.text!r}")
        timed.append(Timed(one, call))
    return timed


async def click(harness: BotHarness, button: str) -> None:
    await harness.click(COORDINATOR, button)


async def start_broadcast(harness: BotHarness, recipients: int) -> int:
    """Compose a broadcast to Kuznetsk through the dialogue and send it; returns the
    index in `fake.requests` from which its copies are counted."""
    fake = harness.fake
    await harness.send(COORDINATOR, "/start")
    await harness.send(COORDINATOR, "/broadcast")
    await harness.send(COORDINATOR, TEXT)
    for button in ("🗺 Territory", "Kuznetsk (city)", "⬅️ Done"):
        await click(harness, button)
    summary = fake.last_message(COORDINATOR.id).text or ""
    found = re.search(r"Recipients: ([\d\s,\u00a0\u202f]+)", summary)
    if found is None or int(re.sub(r"\D", "", found.group(1))) != recipients:
        raise BenchError(f"the broadcast is not for {recipients} recipients:\n{summary}")
    await click(harness, "👁 Preview")
    mark = len(fake.requests)
    await click(harness, "📨 Send")
    return mark


@dataclass(frozen=True)
class Broadcast:
    copies: list[Call]  # successful copies to recipients, in the order the fake took them
    lost: int
    duplicated: int

    @property
    def span(self) -> float:
        return self.copies[-1].finished_at - self.copies[0].finished_at

    def rate(self, start: float | None = None, end: float | None = None) -> float:
        """Copies a second between two times (default: the first and the last copy)."""
        times = [c.finished_at for c in self.copies]
        start = times[0] if start is None else start
        end = times[-1] if end is None else end
        inside = [t for t in times if start <= t <= end]
        if len(inside) < 2 or end <= start:
            return 0.0
        return (len(inside) - 1) / (inside[-1] - inside[0])


def broadcast_result(fake: FakeBotAPI, mark: int, chats: set[int]) -> Broadcast:
    copies = [
        call
        for call in fake.requests[mark:]
        if call.method == "copyMessage" and call.ok and int(call.params["chat_id"]) in chats
    ]
    copies.sort(key=lambda call: call.finished_at)
    if len(copies) < 2:
        raise BenchError("the broadcast delivered fewer than two copies")
    per_chat = Counter(int(call.params["chat_id"]) for call in copies)
    return Broadcast(
        copies=copies,
        lost=len(chats - per_chat.keys()),
        duplicated=sum(per_chat.values()) - len(per_chat),
    )


def sends_between(fake: FakeBotAPI, start: float, end: float) -> int:
    """Messages the fake accepted between two times (copies and answers alike)."""
    return sum(
        1
        for call in fake.requests
        if call.ok
        and call.method in {"sendMessage", "copyMessage"}
        and start <= call.finished_at <= end
    )


def row(name: str, timed: Sequence[Timed]) -> str:
    received = [t.to_received for t in timed]
    created = [t.to_created for t in timed]
    returned = [t.to_returned for t in timed]
    return (
        f"{name:<22}{len(timed):>5}{ms(p50(received))}{ms(p99(received))}"
        f"{ms(p50(created))}{ms(p99(created))}{ms(p50(returned))}{ms(p99(returned))}"
    )


def breakdown(name: str, timed: Sequence[Timed]) -> str:
    waits = [t.asked.budget_wait for t in timed]
    handler = [t.handler for t in timed]
    waited = sum(1 for w in waits if w > 0.001)
    return (
        f"  {name}: handler before its sendMessage (budget wait excluded) p50"
        f" {p50(handler) * 1000:.0f} ms, p99 {p99(handler) * 1000:.0f} ms; waited for the"
        f" rate budget: {waited} of {len(timed)}, p50 {p50(waits) * 1000:.0f} ms,"
        f" p99 {p99(waits) * 1000:.0f} ms, max {max(waits) * 1000:.0f} ms"
    )


async def run(options: Options, folder: Path) -> None:
    rng = random.Random(options.seed)
    async with FakeBotAPI() as fake:
        fake.latency = options.latency
        harness = await BotHarness.start(
            fake, folder, FakeClock(), superadmin_ids=str(COORDINATOR.id)
        )
        try:
            fake.add_user(COORDINATOR)
            recipients = await seed_admins(harness, options.recipients, KUZNETSK, FIRST_RECIPIENT)
            askers = await seed_admins(harness, 2 * options.samples, PENZA, FIRST_ASKER)
            waits = BudgetWaits(harness.app.dispatcher["budget"])
            for _ in range(WARM_UP):
                await harness.send(COORDINATOR, "/total")

            idle = await run_phase(harness, waits, askers[: options.samples], rng, options.gap)

            chats = {user.id for user in recipients}
            mark = await start_broadcast(harness, options.recipients)
            await fake.wait_for(
                "copyMessage",
                lambda call: call.ok and int(call.params["chat_id"]) in chats,
                timeout=30,
                since=mark,
            )
            loaded = await run_phase(harness, waits, askers[options.samples :], rng, options.gap)
            sampled_from = loaded[0].asked.fed
            sampled_to = max(t.call.finished_at for t in loaded)
            await harness.drain(timeout=60 + 3 * options.recipients / LIMIT)
            broadcast = broadcast_result(fake, mark, chats)
            refusals = len(fake.flood_refusals)
        finally:
            await harness.stop()

    running = broadcast.copies[-1].finished_at > sampled_to
    print(
        "time from feeding /total to: the fake receiving its sendMessage, the message"
        f" created there (+{options.latency * 1000:.0f} ms latency: what the user waits,"
        " the targets), feed returning"
    )
    print(
        f"{'':<22}{'n':>5}{'recv p50':>10}{'recv p99':>10}{'made p50':>10}{'made p99':>10}"
        f"{'ret p50':>10}{'ret p99':>10}"
    )
    print(row("(a) idle", idle))
    print(row("(b) during broadcast", loaded))
    if not running:
        print("  note: the broadcast ended before the last answer of (b)")

    # The user has the answer when Telegram has made the message: the targets use that.
    idle_p99 = p99([t.to_created for t in idle])
    loaded_p99 = p99([t.to_created for t in loaded])
    ratio = loaded_p99 / idle_p99
    sent = p99([t.to_received for t in loaded]) / p99([t.to_received for t in idle])
    share = broadcast.rate() / LIMIT
    returned = p99([t.to_returned for t in loaded]) / p99([t.to_returned for t in idle])
    print(
        f"p99(b) / p99(a): {ratio:.2f} (target <= {TARGET_RATIO:.0f}) {verdict(ratio <= 2)}"
        f"  [until the request leaves the bot: {sent:.2f}; until feed returns: {returned:.2f}]"
    )
    print(
        f"p99 under load: {loaded_p99 * 1000:.0f} ms (target < {TARGET_P99 * 1000:.0f} ms)"
        f" {verdict(loaded_p99 < TARGET_P99)}"
    )
    print(f"429s the bot provoked: {refusals} (target 0) {verdict(refusals == 0)}")
    print(
        f"broadcast: {len(broadcast.copies):,} copies in {broadcast.span:.1f} s,"
        f" {broadcast.rate():.1f}/s = {share:.3f} of the {LIMIT}/s limit"
        f" (target >= {TARGET_RATE}) {verdict(share >= TARGET_RATE)};"
        f" lost {broadcast.lost}, duplicated {broadcast.duplicated}"
    )

    print("where the time went:")
    print(breakdown("(a)", idle))
    print(breakdown("(b)", loaded))
    end = min(sampled_to, broadcast.copies[-1].finished_at)
    during = broadcast.rate(sampled_from, end)
    after = broadcast.rate(end, None)
    all_sends = sends_between(fake, sampled_from, end) / max(end - sampled_from, 1e-9)
    print(
        f"  broadcast rate while (b) asked: {during:.1f}/s, after: {after:.1f}/s;"
        f" every message accepted while (b) asked (copies and answers): {all_sends:.1f}/s"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--samples", type=int, default=60, help="/total asked per phase")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between two users' /total")
    parser.add_argument("--latency", type=float, default=0.15, help="seconds per request")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.recipients < 1 or args.samples < 2 or args.latency < 0 or args.gap <= 0:
        parser.error(
            "--recipients and --gap must be positive, --samples at least 2, --latency >= 0"
        )
    options = Options(args.recipients, args.samples, args.latency, args.seed, args.gap)
    logging.basicConfig(level=logging.ERROR)
    print(
        f"/total from {options.samples} users per phase, one every {options.gap:g} s or so;"
        f" broadcast to {options.recipients:,} recipients; fake Bot API: Telegram's limits,"
        f" latency {options.latency:.2f} s"
    )
    with tempfile.TemporaryDirectory() as folder:
        await run(options, Path(folder))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except BenchError as exc:
        raise SystemExit(f"latency benchmark failed: {exc}") from None
