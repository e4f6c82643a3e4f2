"""What the benchmarks' generated regions are made of: one definition for every bench.

Levels, themes and platforms come from the domain's enums, so a generated page is one the
bot could have registered; times are Unix seconds around a fixed `NOW`.
"""

from __future__ import annotations

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
