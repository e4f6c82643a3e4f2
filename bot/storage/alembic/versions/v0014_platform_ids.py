"""The community"s own id on its platform (0014_platform_ids.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0014", "0013"
upgrade, downgrade = steps("0014_platform_ids.sql")
