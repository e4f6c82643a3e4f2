"""What the benchmarks' generated regions are made of: one definition for every bench.

Levels, themes and platforms come from the domain's enums, so a generated page is one the
bot could have registered; times are Unix seconds around a fixed `NOW`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from bot.domain.catalog import Level, Theme
from bot.domain.links import Platform
from bot.domain.localtime import DAY

YEAR = 365 * DAY
#: The benchmarks' "now" (2026-09-21, Unix seconds): fixed, so runs compare.
NOW = 1_790_000_000
LEVELS = [level.value for level in Level]
THEMES = [theme.value for theme in Theme]
#: The four platforms the bot counts (not "other sites").
PLATFORMS = [platform.value for platform in Platform if platform is not Platform.OTHER]
#: Generated administrators' Telegram ids start here.
FIRST_USER = 1_000_000


def page_admin_rows(pages: int, admins: int) -> Iterator[tuple[int, int, int]]:
    """Rows (page_id, user_id, added_at) of `page_admins`: the administrators of pages
    1..`pages` among `admins` generated users. Every page has its creator, one page in
    ten a second administrator."""
    return (
        (page, FIRST_USER + user, NOW - YEAR)
        for page in range(1, pages + 1)
        for user in sorted({(page - 1) % admins, (page * 7) % admins if page % 10 == 0 else -1})
        if user >= 0
    )


def add_page_admins(conn: sqlite3.Connection, pages: int, admins: int) -> None:
    """Insert `page_admin_rows(pages, admins)` on an SQLite connection."""
    conn.executemany(
        "INSERT INTO page_admins (page_id, user_id, added_at) VALUES (?, ?, ?)",
        page_admin_rows(pages, admins),
    )
