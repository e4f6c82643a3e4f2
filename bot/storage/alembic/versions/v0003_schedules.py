"""What the scheduled jobs need, and subscriptions (0003_schedules.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP TABLE scheduler_lease;
ALTER TABLE users DROP COLUMN wants_reminders;
ALTER TABLE users DROP COLUMN wants_digest;
DROP TABLE digest_deliveries;
DROP TABLE report_reminders;
DROP TABLE milestones;
DROP TABLE daily_totals;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0003_schedules.sql")


def downgrade() -> None:
    downgrade_from("0003_schedules.sql", _SCRIPTS)
