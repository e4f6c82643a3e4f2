"""The audit log (0010_audit.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0010", "0009"
upgrade, downgrade = steps("0010_audit.sql")
