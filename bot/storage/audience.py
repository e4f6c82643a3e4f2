"""Who a segment reaches: administrators of approved pages that match it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain.segments import Segment
from bot.storage.base import Repository, given, in_list, list_param
from bot.storage.dialect import ListParam
from bot.storage.silence import is_silent, silence_cutoff
from bot.storage.training import has_trained_admin

# One seminar's people (`Segment.seminar_group`): registered, attended, or registered
# and absent (no attendance row).
_REGISTERED = (
    "EXISTS (SELECT 1 FROM seminar_registrations r"
    " WHERE r.seminar_id = :seminar AND r.user_id = a.user_id)"
)
_ATTENDED = (
    "EXISTS (SELECT 1 FROM seminar_attendance t"
    " WHERE t.seminar_id = :seminar AND t.user_id = a.user_id)"
)

# Each filter applies only when its parameter was chosen (not None), and is left out of
# the SQL otherwise. "Has not reported for N days" is the one rule of
# bot.storage.silence, "trained" the one of bot.storage.training.
_FILTERS = {
    "territories": in_list("p.territory_id", "territories"),
    "levels": in_list("p.level", "levels"),
    "themes": in_list("p.theme", "themes"),
    "platforms": in_list("p.platform", "platforms"),
    "silent_since": is_silent("p", "silent_since"),
    "seminar": f"""((:seminar_group = 'registered' AND {_REGISTERED})
        OR (:seminar_group = 'attended' AND {_ATTENDED})
        OR (:seminar_group = 'absent' AND {_REGISTERED} AND NOT {_ATTENDED}))""",
}


def _matching_admins(params: Mapping[str, Any]) -> str:
    """SQL: the distinct `user_id` of the administrators the segment whose parameters
    (`AudienceRepository._params`) are `params` reaches."""
    chosen = "".join(given(params[name], condition) for name, condition in _FILTERS.items())
    return f"""
SELECT DISTINCT a.user_id
  FROM pages p
  JOIN page_admins a ON a.page_id = p.id
  JOIN users u ON u.id = a.user_id
 WHERE p.status = 'approved'
   AND u.reachable = 1{chosen}
   AND (:untrained = 0 OR NOT {has_trained_admin("p")})
"""


def _set(values: Iterable[Any]) -> ListParam | None:
    """A list parameter of the chosen values; None (the filter is skipped) if none."""
    items = list(values)
    return list_param(items) if items else None


class AudienceRepository(Repository):
    @staticmethod
    def _params(segment: Segment, now: int) -> dict[str, Any]:
        return {
            "territories": _set(segment.territories),
            # The codes as plain strings, whatever the driver makes of an enum.
            "levels": _set(str(value) for value in segment.levels),
            "themes": _set(str(value) for value in segment.themes),
            "platforms": _set(str(value) for value in segment.platforms),
            "silent_since": (
                silence_cutoff(now, segment.silent_days) if segment.silent_days else None
            ),
            "seminar": segment.seminar_id,
            "seminar_group": str(segment.seminar_group) if segment.seminar_group else None,
            "untrained": 1 if segment.untrained else 0,
        }

    async def recipients(self, segment: Segment, *, now: int) -> list[int]:
        """The segment's administrators now, by id."""
        params = self._params(segment, now)
        rows = await self._all(_matching_admins(params) + " ORDER BY a.user_id", params)
        return [int(row[0]) for row in rows]

    async def count(self, segment: Segment, *, now: int) -> int:
        """How many administrators the segment reaches now."""
        params = self._params(segment, now)
        found = await self._scalar(
            f"SELECT count(*) FROM ({_matching_admins(params)}) AS matching", params
        )
        return int(found) if found is not None else 0

    async def includes(self, segment: Segment, user_id: int, *, now: int) -> bool:
        """Whether the user is in the segment now."""
        params = self._params(segment, now)
        found = await self._scalar(
            f"SELECT EXISTS ({_matching_admins(params)} AND a.user_id = :user)",
            {**params, "user": user_id},
        )
        return bool(found)
