"""Albums in the delivery queue (0008_outbox_albums.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0008", "0007"
upgrade, downgrade = steps("0008_outbox_albums.sql")
