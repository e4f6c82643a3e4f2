"""What the scheduled jobs need, and subscriptions (0003_schedules.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0003", "0002"
upgrade, downgrade = steps("0003_schedules.sql")
