"""The community's own id on its platform (0014_platform_ids.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0014"
down_revision: str | None = "0013"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP INDEX pages_platform_id;
ALTER TABLE pages DROP COLUMN platform_id;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0014_platform_ids.sql")


def downgrade() -> None:
    downgrade_from("0014_platform_ids.sql", _SCRIPTS)
