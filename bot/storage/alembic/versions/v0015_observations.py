"""Observations, collection runs, cross-check flags (0015_observations.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0015", "0014"
upgrade, downgrade = steps("0015_observations.sql")
