"""Claims, hand-over invites, departures, unreachable users (0012_claims.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0012", "0011"
upgrade, downgrade = steps("0012_claims.sql")
