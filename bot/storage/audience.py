"""Who a segment reaches: administrators of approved pages that match it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.domain.segments import Segment
from bot.storage.silence import is_silent, silence_cutoff

# Each filter is skipped when its parameter is NULL (nothing chosen in that dimension).
# "Has not reported for N days" is the one rule of bot.storage.silence.
_MATCHING_ADMINS = f"""
SELECT DISTINCT a.user_id
  FROM pages p
  JOIN page_admins a ON a.page_id = p.id
  JOIN users u ON u.id = a.user_id
 WHERE p.status = 'approved'
   AND u.reachable = 1
   AND (:territories IS NULL OR p.territory_id IN (SELECT value FROM json_each(:territories)))
   AND (:levels IS NULL OR p.level IN (SELECT value FROM json_each(:levels)))
   AND (:themes IS NULL OR p.theme IN (SELECT value FROM json_each(:themes)))
   AND (:platforms IS NULL OR p.platform IN (SELECT value FROM json_each(:platforms)))
   AND (:silent_since IS NULL OR {is_silent("p", "silent_since")})
"""


def _set(values: Iterable[Any]) -> str | None:
    items = sorted(values)
    return json.dumps(items) if items else None


class AudienceRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    @staticmethod
    def _params(segment: Segment, now: int) -> dict[str, Any]:
        return {
            "territories": _set(segment.territories),
            "levels": _set(segment.levels),
            "themes": _set(segment.themes),
            "platforms": _set(segment.platforms),
            "silent_since": (
                silence_cutoff(now, segment.silent_days) if segment.silent_days else None
            ),
        }

    async def recipients(self, segment: Segment, *, now: int) -> list[int]:
        async with self._conn.execute(
            _MATCHING_ADMINS + " ORDER BY a.user_id", self._params(segment, now)
        ) as cursor:
            return [int(row[0]) for row in await cursor.fetchall()]

    async def count(self, segment: Segment, *, now: int) -> int:
        async with self._conn.execute(
            f"SELECT count(*) FROM ({_MATCHING_ADMINS})", self._params(segment, now)
        ) as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def includes(self, segment: Segment, user_id: int, *, now: int) -> bool:
        """Whether the user is in the segment now."""
        async with self._conn.execute(
            f"SELECT EXISTS ({_MATCHING_ADMINS} AND a.user_id = :user)",
            {**self._params(segment, now), "user": user_id},
        ) as cursor:
            row = await cursor.fetchone()
        return bool(row and row[0])
