"""Daily snapshots of the totals per segment, for growth and charts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.services.clock import Clock
from bot.storage.database import Database

# A restart after a long outage fills at most this many missing days.
MAX_BACKFILL_DAYS = 400


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[int, int]:
    """Unix seconds of the start and the end (exclusive) of a regional day."""
    start = dt.datetime.combine(day, dt.time(), tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
    return int(start.timestamp()), int(end.timestamp())


class SnapshotService:
    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo) -> None:
        self._db = db
        self._clock = clock
        self._tz = tz

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self._clock.now(), self._tz).date()

    async def take(self, day: dt.date) -> None:
        """(Re)compute one day's snapshot from the report history; replaces the day."""
        _, end = day_bounds(day, self._tz)
        async with self._db.write() as repos:
            await repos.snapshots.replace_day(day.isoformat(), end)

    async def run(self) -> list[dt.date]:
        """Snapshot every finished day not taken yet: yesterday on a normal night, and
        the days missed while the bot was down. Returns the days taken."""
        yesterday = self.today() - dt.timedelta(days=1)
        async with self._db.read() as repos:
            last = await repos.snapshots.last_day()
            first_activity = await repos.snapshots.first_activity()
        if last is not None:
            start = dt.date.fromisoformat(last) + dt.timedelta(days=1)
        elif first_activity is not None:
            start = dt.datetime.fromtimestamp(first_activity, self._tz).date()
        else:
            return []
        start = max(start, yesterday - dt.timedelta(days=MAX_BACKFILL_DAYS - 1))
        taken = []
        day = start
        while day <= yesterday:
            await self.take(day)  # one transaction a day: other writers are not held up
            taken.append(day)
            day += dt.timedelta(days=1)
        return taken
