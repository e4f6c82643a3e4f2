"""Indexes for /total's verified share and unclaimed count (0017_totals_indexes.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0017", "0016"
upgrade, downgrade = steps("0017_totals_indexes.sql")
