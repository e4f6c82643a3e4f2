"""Collecting the member counts of 200,000 VK pages: batched, against one request per page.

Both run against the fake VK API (tests/fakes/vk_api.py) set up like VK for one service
token: every request takes LATENCY seconds and at most RATE requests a second are
accepted (a sliding one-second window; over it the fake answers error 6 "Too many requests
per second").

- Batched: the bot's `VkCollector` (bot/services/collectors/vk.py), 500 communities per
  groups.getById call, paced at RATE requests a second, over every page.
- The baseline, against a fresh fake with the same settings: the same collector with a
  batch of one, one groups.getById per page, over an evenly spread SAMPLE of the pages;
  its requests and time are extrapolated to every page.

Half of the pages are linked by screen name (vk.com/gov_17), half by number
(vk.com/club18). Both must read every page's count right. Printed: requests, error-6
refusals, wall time, and the ratios baseline / batched (target >= 100x for both).

    python bench/collect.py                    # 200,000 pages, 100 ms, 3 requests/s
    python bench/collect.py --pages 20000      # a quick run
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.observations import Count, Target
from bot.services.collectors.common import Pacer
from bot.services.collectors.vk import VkCollector
from tests.fakes.vk_api import FakeVkAPI, FakeVkGroup

TOKEN = "bench-service-token"
TARGET_RATIO = 100


@dataclass(frozen=True)
class Run:
    name: str
    pages: int
    requests: int
    refused: int
    wall: float

    def row(self) -> str:
        return (
            f"{self.name:<34}{self.pages:>9,}{self.requests:>11,}{self.refused:>8}"
            f"{self.wall:>13,.1f}"
        )


HEADER = f"{'':<34}{'pages':>9}{'requests':>11}{'err 6':>8}{'wall s':>13}"


def group(number: int) -> FakeVkGroup:
    return FakeVkGroup(
        id=number,
        screen_name=f"gov_{number}" if number % 2 else None,
        members_count=1_000 + number * 7 % 50_000,
    )


def target(number: int) -> Target:
    link = f"https://vk.com/gov_{number}" if number % 2 else f"https://vk.com/club{number}"
    return Target(number, link)


async def collect(
    name: str, numbers: list[int], *, latency: float, rate: float, batch_size: int
) -> Run:
    async with FakeVkAPI(token=TOKEN, latency=latency, rate_limit=rate) as vk:
        for number in numbers:
            vk.add_group(group(number))
        collector = VkCollector(
            token=TOKEN,
            api_url=vk.api_url,
            version="5.199",
            pacer=Pacer(rate),
            batch_size=batch_size,
        )
        targets = [target(number) for number in numbers]
        results: list[object] = []
        started = time.perf_counter()
        for start in range(0, len(targets), batch_size):
            results += await collector.collect(targets[start : start + batch_size])
        wall = time.perf_counter() - started
        wrong = [
            result
            for result in results
            if not isinstance(result, Count)
            or result.figure != group(result.page_id).members_count
            or result.platform_id != str(result.page_id)
        ]
        if len(results) != len(numbers) or wrong:
            raise SystemExit(f"{name}: {len(wrong)} wrong of {len(results)} results")
        return Run(name, len(numbers), len(vk.requests), vk.refused(6), wall)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=200_000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per request")
    parser.add_argument("--rate", type=float, default=3, help="requests a second VK accepts")
    parser.add_argument("--sample", type=int, default=20, help="pages of the baseline")
    args = parser.parse_args()

    every = list(range(1, args.pages + 1))
    step = max(1, args.pages // args.sample)
    sample = every[::step][: args.sample]
    batched = await collect(
        "batched (500 per groups.getById)",
        every,
        latency=args.latency,
        rate=args.rate,
        batch_size=500,
    )
    measured = await collect(
        "one per page, sample", sample, latency=args.latency, rate=args.rate, batch_size=1
    )
    scale = args.pages / measured.pages
    baseline = Run(
        "one per page, extrapolated",
        args.pages,
        round(measured.requests * scale),
        round(measured.refused * scale),
        measured.wall * scale,
    )
    print(f"fake VK API: {args.latency * 1000:.0f} ms a request, {args.rate:g} requests/s")
    print(HEADER)
    for run in (batched, measured, baseline):
        print(run.row())
    requests_ratio = baseline.requests / batched.requests
    time_ratio = baseline.wall / batched.wall
    print(
        f"ratio one-per-page / batched: {requests_ratio:,.0f}x requests, {time_ratio:,.0f}x time"
        f" (target >= {TARGET_RATIO}x both)"
    )
    if min(requests_ratio, time_ratio) < TARGET_RATIO:
        raise SystemExit("below the target ratio")


if __name__ == "__main__":
    asyncio.run(main())
