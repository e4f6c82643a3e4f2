"""Claims, hand-over invites, departures, unreachable users (0012_claims.sql)."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

_DOWN = """\
DROP TABLE page_claims;
ALTER TABLE invites DROP COLUMN hand_over;
DROP TABLE page_departures;
DROP INDEX users_unreachable;
ALTER TABLE users DROP COLUMN unreachable_since;
"""
_SCRIPTS = {"sqlite": _DOWN, "postgresql": _DOWN}


def upgrade() -> None:
    upgrade_to("0012_claims.sql")


def downgrade() -> None:
    downgrade_from("0012_claims.sql", _SCRIPTS)
