"""What the platform collectors share: the pace of requests, retries, and how a
community's answer becomes a page's Count or Failure.

Sleeping goes through the `Pacer`'s injected `sleep`, so tests drive waits without
waiting; network errors, 5xx answers and rate-limit errors are tried again with growing
waits, and what is still failing after the last try is `CollectorUnavailable`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from bot.domain.observations import CollectorUnavailable, Count, Failure, Uncollectable

_T = TypeVar("_T")

#: Tries of one request before the batch is given up as `CollectorUnavailable`.
ATTEMPTS = 5
#: First wait before retrying a failed request (seconds); it doubles each time.
BACKOFF_BASE = 1.0
#: Longest wait between two tries (seconds).
BACKOFF_CAP = 30.0
#: Seconds one HTTP request may take as a whole.
REQUEST_TIMEOUT = 30.0

Sleep = Callable[[float], Awaitable[None]]


#: Share of the rate a pacer keeps free: requests start evenly spaced, but one that
#: travels faster than the one before would otherwise make the platform's one-second
#: window hold one request more than its limit (and get a rate-limit error).
PACE_MARGIN = 0.05


class Pacer:
    """Starts requests at most `rate` a second (less PACE_MARGIN), evenly spaced (the
    platforms count requests a second per token), and holds every start back after a
    rate-limit error.

    `clock` (monotonic seconds) and `sleep` are injectable for tests. Raises ValueError
    for a rate that is not positive.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = (1.0 + PACE_MARGIN) / rate
        self._clock = clock
        self._sleep = sleep
        self._next = float("-inf")

    async def wait(self) -> None:
        """Return when the next request may start; each call takes one slot."""
        now = self._clock()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            await self._sleep(start - now)

    def hold(self, seconds: float) -> None:
        """No request starts within `seconds` from now (a rate-limit error's wait)."""
        self._next = max(self._next, self._clock() + seconds)


class TryAgain(Exception):
    """The request may succeed later: a rate-limit error (`wait` seconds, when the
    platform says how long), a 5xx, a malformed answer."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


async def with_retries(
    request: Callable[[], Awaitable[_T]], *, pacer: Pacer, what: str, attempts: int = ATTEMPTS
) -> _T:
    """`request()` paced by `pacer`, tried again after TryAgain and network errors
    (aiohttp.ClientError, timeouts) with waits of BACKOFF_BASE doubling up to BACKOFF_CAP
    seconds, or the wait the platform asked for. Raises CollectorUnavailable naming
    `what` after `attempts` tries; other exceptions go up at once."""
    backoff = BACKOFF_BASE
    reason = ""
    for attempt in range(1, attempts + 1):
        await pacer.wait()
        try:
            return await request()
        except TryAgain as exc:
            reason, wait = exc.reason, exc.wait
        except (aiohttp.ClientError, TimeoutError) as exc:
            reason, wait = f"network: {exc!r}", None
        if attempt < attempts:
            pacer.hold(wait if wait is not None else backoff)
            backoff = min(backoff * 2, BACKOFF_CAP)
    raise CollectorUnavailable(f"{what}: {reason} (after {attempts} tries)")


def http_session(timeout: float = REQUEST_TIMEOUT) -> aiohttp.ClientSession:
    """A client session for one batch, closed by its `async with`."""
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))


async def read_json(response: aiohttp.ClientResponse) -> Any:
    """The JSON body of an answer; TryAgain for a 5xx or a body that is not JSON."""
    if response.status >= 500:
        raise TryAgain(f"HTTP {response.status}")
    try:
        return await response.json(content_type=None)
    except ValueError:
        raise TryAgain(f"HTTP {response.status}: the answer is not JSON") from None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a platform said about one community: its member count, or why none, and
    the community's own id when the answer gave it. `detail` holds only the platform's
    own words (its error message, a status it names), never the bot's: coordinators
    read the reason in their language (bot.texts.observations.REASON_LABELS) and the
    detail as the platform gave it."""

    figure: int | None = None
    platform_id: str | None = None
    reason: Uncollectable = Uncollectable.UNKNOWN
    detail: str = ""

    def for_page(self, page_id: int) -> Count | Failure:
        if self.figure is not None:
            return Count(page_id, self.figure, self.platform_id)
        return Failure(page_id, self.reason, self.detail)


def failed(reason: Uncollectable, detail: str = "") -> Outcome:
    """No count, for `reason`; `detail`: the platform's own words, if it gave any."""
    return Outcome(reason=reason, detail=detail)


class ItemError(Exception):
    """An error the platform gives for a whole request that may be caused by one of its
    communities (VK 15/18/100, OK's PARAM and NOT_FOUND): the batch is split to find it."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.detail)
        self.outcome = outcome


async def split_on_item_errors(
    keys: Sequence[str], fetch: Callable[[list[str]], Awaitable[dict[str, Outcome]]]
) -> dict[str, Outcome]:
    """`fetch(keys)`, and on an ItemError the two halves of `keys` separately, down to
    single keys, which get the error's outcome: a batch of n with one bad community
    costs about 2·log2(n) more requests, a batch without one costs nothing more."""
    try:
        return await fetch(list(keys))
    except ItemError as error:
        if len(keys) == 1:
            return {keys[0]: error.outcome}
        half = len(keys) // 2
        first = await split_on_item_errors(keys[:half], fetch)
        return first | await split_on_item_errors(keys[half:], fetch)


async def lookup_in_chunks(
    wanted: dict[str, list[int]],
    batch_size: int,
    fetch: Callable[[list[str]], Awaitable[dict[str, Outcome]]],
) -> list[Count | Failure]:
    """One result per page: `wanted` maps a community's key to the pages that name it;
    the keys are fetched `batch_size` at a time, split on item errors."""
    keys = list(wanted)
    outcomes: dict[str, Outcome] = {}
    for start in range(0, len(keys), batch_size):
        outcomes |= await split_on_item_errors(keys[start : start + batch_size], fetch)
    return [
        outcomes[key].for_page(page_id) for key, page_ids in wanted.items() for page_id in page_ids
    ]
