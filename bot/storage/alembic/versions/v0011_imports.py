"""Registry imports (0011_imports.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0011"
down_revision: str | None = "0010"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP INDEX pages_import;
ALTER TABLE reports DROP COLUMN import_id;
ALTER TABLE pages DROP COLUMN import_id;
DROP TABLE imports;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0011_imports.sql")


def downgrade() -> None:
    downgrade_from("0011_imports.sql", _SCRIPTS)
