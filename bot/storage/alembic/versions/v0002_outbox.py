"""The delivery queue and broadcasts (0002_outbox.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0002", "0001"
upgrade, downgrade = steps("0002_outbox.sql")
