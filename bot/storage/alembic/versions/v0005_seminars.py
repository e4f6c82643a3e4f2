"""Seminars and registrations (0005_seminars.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP TABLE seminar_registrations;
DROP TABLE seminars;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0005_seminars.sql")


def downgrade() -> None:
    downgrade_from("0005_seminars.sql", _SCRIPTS)
