"""Observations, collection runs, cross-check flags (0015_observations.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
ALTER TABLE pages DROP COLUMN reported_figure;
DROP TABLE page_flags;
DROP INDEX pages_collect_status;
DROP INDEX pages_observed_at;
ALTER TABLE pages DROP COLUMN collect_detail;
ALTER TABLE pages DROP COLUMN collect_status;
ALTER TABLE pages DROP COLUMN observed_at;
ALTER TABLE pages DROP COLUMN observed_figure;
DROP TABLE observations;
DROP TABLE collect_run_outcomes;
DROP TABLE collect_run_platforms;
DROP TABLE collect_runs;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0015_observations.sql")


def downgrade() -> None:
    downgrade_from("0015_observations.sql", _SCRIPTS)
