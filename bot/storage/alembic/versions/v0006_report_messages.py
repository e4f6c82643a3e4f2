"""The message that carried each report (0006_report_messages.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0006", "0005"
upgrade, downgrade = steps("0006_report_messages.sql")
