"""Usernames indexed as lower(username) (0009_username_lower.sql).

Downgrade: PostgreSQL's index was lower(username) before too: nothing to undo there."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

_SCRIPTS = {
    "sqlite": """\
DROP INDEX users_username;
CREATE INDEX users_username ON users (username COLLATE NOCASE);
""",
    "postgresql": """\
""",
}


def upgrade() -> None:
    upgrade_to("0009_username_lower.sql")


def downgrade() -> None:
    downgrade_from("0009_username_lower.sql", _SCRIPTS)
