"""Registry imports (0011_imports.sql)."""

from bot.storage.migrate import steps

revision, down_revision = "0011", "0010"
upgrade, downgrade = steps("0011_imports.sql")
