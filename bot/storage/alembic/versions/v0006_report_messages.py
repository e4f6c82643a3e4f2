"""The message that carried each report (0006_report_messages.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP INDEX reports_message;
ALTER TABLE reports DROP COLUMN message_id;
ALTER TABLE reports DROP COLUMN chat_id;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0006_report_messages.sql")


def downgrade() -> None:
    downgrade_from("0006_report_messages.sql", _SCRIPTS)
