"""Where a user first came from; newcomers of a week (0007_user_source.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0007", "0006"
upgrade, downgrade = steps("0007_user_source.sql")
