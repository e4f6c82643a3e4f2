"""The one definition of a silent page, used by every query that decides silence: the
digests (administrators' and coordinators'), the report reminders and the broadcast
segment "has not reported for N days".

A page is silent since its last report or, if it never reported, since its approval
(since its registration, should an approved page have no decision time). It has been
silent for N days when that moment is N days or more before now. Only approved pages
are ever silent: a pending or rejected page cannot report.
"""

from __future__ import annotations

from bot.domain.localtime import DAY


def silent_since(alias: str) -> str:
    """SQL: the moment the page (a row of `pages` named `alias`) went silent."""
    return f"coalesce({alias}.last_report_at, {alias}.decided_at, {alias}.created_at)"


def is_silent(alias: str, cutoff: str) -> str:
    """SQL condition: the page `alias` is approved and has been silent since before the
    named parameter `cutoff` (see `silence_cutoff`). Portable: SQLite and PostgreSQL."""
    return f"({alias}.status = 'approved' AND {silent_since(alias)} < :{cutoff})"


def silence_cutoff(now: int, days: int) -> int:
    """The `cutoff` parameter of `is_silent` for pages silent for `days` days at `now`."""
    return now - days * DAY
