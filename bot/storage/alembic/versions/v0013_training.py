"""Training: waiting lists, reminders, attendance, feedback, certificates (0013_training.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0013"
down_revision: str | None = "0012"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP TABLE certificates;
ALTER TABLE users DROP COLUMN certificate_name;
DROP TABLE seminar_feedback;
DROP TABLE seminar_attendance;
DROP TABLE seminar_reminders;
DROP TABLE seminar_waitlist;
DROP INDEX seminars_checkin_code;
ALTER TABLE seminars DROP COLUMN checkin_code;
ALTER TABLE seminars DROP COLUMN revision;
ALTER TABLE seminars DROP COLUMN cancelled_at;
ALTER TABLE seminars DROP COLUMN academic_hours;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0013_training.sql")


def downgrade() -> None:
    downgrade_from("0013_training.sql", _SCRIPTS)
