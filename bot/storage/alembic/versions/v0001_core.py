"""The core loop: territories, users, pages, reports, invites, aggregates (0001_core.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0001", None
upgrade, downgrade = steps("0001_core.sql")
