"""The delivery queue and broadcasts (0002_outbox.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP TABLE outbox;
DROP TABLE broadcasts;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0002_outbox.sql")


def downgrade() -> None:
    downgrade_from("0002_outbox.sql", _SCRIPTS)
