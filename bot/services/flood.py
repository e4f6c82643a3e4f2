"""One rate budget for every message the bot sends, answers and the delivery queue alike.

Telegram's FAQ for bot developers: "avoid sending more than one message per second" in
one chat (short bursts pass), "no more than 30 messages per second" to different chats,
"no more than 20 messages per minute in the same group"; beyond that it answers 429 with
`retry_after`. The budget keeps the bot under all three, so its own pacing never provokes
a 429, and when one comes anyway (another process, a stricter day) everything pauses:

- the global limit is a sliding one-second window of grants, filled up to one below the
  limit. The background lane (the delivery queue, progress edits) takes at most
  `background_share` of the limit itself, evenly spaced rather than in a burst, and
  gives way while a direct answer (a user's own command) waits; answers take what is
  left. So a user waits for a slot at most a moment while a broadcast runs at the limit;
- each private chat has a token bucket of `per_chat_burst` messages refilled one per
  `per_chat_interval` seconds, one message below Telegram's burst so that a late request
  never meets a 429; a group's bucket refills `group_per_minute - 2` times a minute;
- while a user's update is being handled (`hold(chat_id)`), the background lane sends
  nothing to their chat: the answer to what they did comes before the alerts it caused;
- `pause(retry_after)` stops both lanes until the pause is over.

Which lane a request belongs to is a context variable: `background()` marks the code that
sends on the bot's own behalf, `prepaid()` the requests whose slot was already taken.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from enum import Enum

#: Seconds of the global sliding window (Telegram counts messages per second).
WINDOW = 1.0
#: Buckets kept at most; full ones are forgotten beyond this (they carry no state).
MAX_BUCKETS = 10_000


class Lane(Enum):
    DIRECT = "direct"  # answers to a user's own update
    BACKGROUND = "background"  # what the bot sends on its own
    PREPAID = "prepaid"  # the caller already took the slot


_lane: contextvars.ContextVar[Lane] = contextvars.ContextVar("telegram_lane", default=Lane.DIRECT)


def current_lane() -> Lane:
    return _lane.get()


@contextmanager
def _in_lane(lane: Lane) -> Iterator[None]:
    token = _lane.set(lane)
    try:
        yield
    finally:
        _lane.reset(token)


def background() -> AbstractContextManager[None]:
    """Requests made inside (and in tasks created inside) go in the background lane."""
    return _in_lane(Lane.BACKGROUND)


def prepaid() -> AbstractContextManager[None]:
    """Requests made inside have had their slot taken with `RateBudget.acquire`."""
    return _in_lane(Lane.PREPAID)


class RateBudget:
    """Paces messages to Telegram's limits; see the module docstring.

    `rate` is messages a second for the whole bot (at least 1); `per_chat_interval`
    seconds between two messages to one private chat once its burst is spent (0 turns
    that limit off); `group_per_minute` messages a minute to one group, always.
    Raises ValueError for a rate below 1 or a burst or group limit that is not positive.
    """

    def __init__(
        self,
        *,
        rate: float = 30.0,
        per_chat_interval: float = 1.0,
        per_chat_burst: int = 2,
        group_per_minute: int = 20,
        background_share: float = 0.95,
    ) -> None:
        if rate < 1 or per_chat_burst < 1 or group_per_minute < 3:
            # Below one a second, a one-second window cannot hold "one below the limit".
            raise ValueError("rate must be at least 1, per_chat_burst and group_per_minute >= 3")
        # One below the limit for answers: a request that arrives a little late never
        # makes Telegram's window hold more than the limit.
        self._direct_cap = max(1, math.ceil(rate) - 1)
        self._background_cap = max(1, min(self._direct_cap, math.floor(rate * background_share)))
        self._background_gap = WINDOW / self._background_cap
        self._chat_interval = max(per_chat_interval, 0.0)
        self._chat_burst = per_chat_burst
        self._group_interval = 60.0 / (group_per_minute - 2)
        self._grants: deque[float] = deque()  # loop times of granted messages
        self._background_grants: deque[float] = deque()  # the background lane's share
        self._next_background = 0.0
        self._buckets: dict[int, tuple[float, float]] = {}  # chat → (tokens, at)
        self._paused_until = 0.0
        self._direct_waiting = 0
        self._held: Counter[int] = Counter()  # chats whose user's update is being handled
        self._on_release: list[Callable[[], None]] = []
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ public

    @property
    def paused_for(self) -> float:
        """Seconds left of the pause a 429 asked for (0 when not paused)."""
        return max(0.0, self._paused_until - self._now())

    def pause(self, seconds: float) -> None:
        """Stop every lane for `seconds` (a 429's `retry_after`)."""
        self._paused_until = max(self._paused_until, self._now() + max(seconds, 0.0))

    async def wait_pause(self) -> None:
        """Return when no 429 pause is in force."""
        while (left := self.paused_for) > 0:
            await self._sleep(left)

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until `chat_id` may receive a message (0: now)."""
        return self._chat_wait(self._now(), chat_id)

    def busy_chats(self) -> set[int]:
        """Chats the background lane may not send to now: their burst is spent, or their
        user's update is being handled."""
        now = self._now()
        self._forget_full(now)
        spent = {chat_id for chat_id in self._buckets if self._chat_wait(now, chat_id) > 0}
        return spent | set(self._held)

    @contextmanager
    def hold(self, chat_id: int) -> Iterator[None]:
        """Keep the background lane away from `chat_id` while its user's update is handled."""
        self._held[chat_id] += 1
        try:
            yield
        finally:
            self._held[chat_id] -= 1
            if self._held[chat_id] <= 0:
                del self._held[chat_id]
                for listener in self._on_release:
                    listener()
            self._changed.set()

    def on_release(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever a held chat is released (the delivery queue's wake)."""
        self._on_release.append(listener)

    async def acquire(
        self, chat_id: int | None = None, count: int = 1, lane: Lane | None = None
    ) -> None:
        """Wait for a slot for `count` messages (an album counts each) to `chat_id`
        (None: no chat, e.g. an edit, which counts only against the global rate).

        `lane` defaults to the caller's context; `Lane.PREPAID` returns at once.
        """
        lane = lane or current_lane()
        if lane is Lane.PREPAID:
            return
        direct = lane is Lane.DIRECT
        queued = False  # counted among the answers the background lane gives way to
        try:
            while True:
                now = self._now()
                global_wait = self._global_wait(now, count, direct)
                chat_wait = self._chat_wait(now, chat_id) if chat_id is not None else 0.0
                if not direct and chat_id in self._held:
                    chat_wait = max(chat_wait, self._background_gap)
                if global_wait <= 0 and chat_wait <= 0:
                    self._grant(now, chat_id, count, direct)
                    return
                # Only an answer held up by the global rate holds the background lane
                # back: one waiting for its own chat's slot must not stall a broadcast.
                if direct and (global_wait > 0) != queued:
                    queued = global_wait > 0
                    self._direct_waiting += 1 if queued else -1
                await self._sleep(max(global_wait, chat_wait))
        finally:
            if queued:
                self._direct_waiting -= 1
                self._changed.set()

    # ------------------------------------------------------------------ the rules

    def _global_wait(self, now: float, count: int, direct: bool) -> float:
        waits = [self._paused_until - now]
        # Every message counts against the limit (less one); the background lane's own
        # against its share of it, so that answers always find room.
        windows = [(self._grants, self._direct_cap)]
        if not direct:
            windows.append((self._background_grants, self._background_cap))
        for grants, cap in windows:
            while grants and now - grants[0] >= WINDOW:
                grants.popleft()
            if count > 1:
                # Several messages in one request (an album) arrive together: a little
                # late, they all land in Telegram's next second. Room for them twice over.
                cap = max(count, cap - (count - 1))
            over = len(grants) + min(count, cap) - cap
            if over > 0:
                waits.append(grants[over - 1] + WINDOW - now)
        if not direct:
            if self._direct_waiting:
                waits.append(self._background_gap)  # answers first; look again shortly
            waits.append(self._next_background - now)
        return max(waits)

    def _chat_wait(self, now: float, chat_id: int) -> float:
        interval = self._interval(chat_id)
        if interval <= 0:
            return 0.0
        tokens = self._tokens(now, chat_id, interval)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) * interval

    def _interval(self, chat_id: int) -> float:
        # A group's 20 a minute holds whatever private chats' pacing is set to.
        if chat_id < 0:
            return self._group_interval
        return self._chat_interval

    def _capacity(self, chat_id: int) -> float:
        return 1.0 if chat_id < 0 else float(self._chat_burst)

    def _tokens(self, now: float, chat_id: int, interval: float) -> float:
        capacity = self._capacity(chat_id)
        tokens, at = self._buckets.get(chat_id, (capacity, now))
        return min(capacity, tokens + (now - at) / interval)

    def _grant(self, now: float, chat_id: int | None, count: int, direct: bool) -> None:
        self._grants.extend([now] * count)
        if not direct:
            self._background_grants.extend([now] * count)
            # The next slot follows the one just due, not the moment it was taken: a
            # sender always wakes a little late (timers, a claim in between), and counting
            # from `now` would lose that much every time, about 3 % of the rate. Later
            # than a whole gap (the lane was idle), the schedule starts again from now.
            # The sliding window still caps every second at `background_cap`.
            due = self._next_background
            start = due if now - due < self._background_gap else now
            self._next_background = start + self._background_gap * count
        if chat_id is not None and (interval := self._interval(chat_id)) > 0:
            if len(self._buckets) >= MAX_BUCKETS:
                self._forget_full(now)
            self._buckets[chat_id] = (self._tokens(now, chat_id, interval) - 1.0, now)

    def _forget_full(self, now: float) -> None:
        for chat_id in list(self._buckets):
            interval = self._interval(chat_id)
            if self._tokens(now, chat_id, interval) >= self._capacity(chat_id):
                del self._buckets[chat_id]

    # ------------------------------------------------------------------ time

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    async def _sleep(self, seconds: float) -> None:
        # A direct answer that finishes waiting wakes background waiters at once.
        self._changed.clear()
        try:
            async with asyncio.timeout(seconds):
                await self._changed.wait()
        except TimeoutError:
            pass
