"""Seminars and registrations (0005_seminars.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0005", "0004"
upgrade, downgrade = steps("0005_seminars.sql")
