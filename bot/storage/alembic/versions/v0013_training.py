"""Training: waiting lists, reminders, attendance, feedback, certificates (0013_training.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0013", "0012"
upgrade, downgrade = steps("0013_training.sql")
