"""The audit log (0010_audit.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP TABLE audit_log;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0010_audit.sql")


def downgrade() -> None:
    downgrade_from("0010_audit.sql", _SCRIPTS)
