"""The core loop: territories, users, pages, reports, invites, aggregates (0001_core.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_SCRIPTS = {
    "sqlite": """\
DROP TRIGGER pages_count_delete;
DROP TRIGGER pages_count_update;
DROP TRIGGER pages_count_insert;
DROP TABLE total_changes;
DROP TABLE segment_totals;
DROP TABLE fsm_states;
DROP TABLE invites;
DROP TABLE reports;
DROP TABLE page_admins;
DROP TABLE pages;
DROP TABLE users;
DROP TABLE themes;
DROP TABLE levels;
DROP TABLE platforms;
DROP TABLE territories;
""",
    "postgresql": """\
DROP TABLE total_changes;
DROP TABLE segment_totals;
DROP TABLE fsm_states;
DROP TABLE invites;
DROP TABLE reports;
DROP TABLE page_admins;
DROP TABLE pages;
DROP TABLE users;
DROP TABLE themes;
DROP TABLE levels;
DROP TABLE platforms;
DROP TABLE territories;
DROP FUNCTION pages_count_delete();
DROP FUNCTION pages_count_update();
DROP FUNCTION pages_count_insert();
""",
}


def upgrade() -> None:
    upgrade_to("0001_core.sql")


def downgrade() -> None:
    downgrade_from("0001_core.sql", _SCRIPTS)
