"""Usernames indexed as lower(username) (0009_username_lower.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0009", "0008"
upgrade, downgrade = steps("0009_username_lower.sql")
