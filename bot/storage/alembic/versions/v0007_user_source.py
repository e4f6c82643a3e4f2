"""Where a user first came from; newcomers of a week (0007_user_source.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP INDEX users_created;
ALTER TABLE users DROP COLUMN source;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0007_user_source.sql")


def downgrade() -> None:
    downgrade_from("0007_user_source.sql", _SCRIPTS)
