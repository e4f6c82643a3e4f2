"""Which process claimed an outbox row (0016_outbox_claims.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0016", "0015"
upgrade, downgrade = steps("0016_outbox_claims.sql")
