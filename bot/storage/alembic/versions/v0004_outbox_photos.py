"""Photos in the delivery queue (0004_outbox_photos.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0004", "0003"
upgrade, downgrade = steps("0004_outbox_photos.sql")
