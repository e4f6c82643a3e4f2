"""Photos in the delivery queue (0004_outbox_photos.sql).

Downgrade: Queued photos are dropped with the kind."""

from __future__ import annotations

from bot.storage.migrate import downgrade_from, upgrade_to

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_SCRIPTS = {
    "sqlite": """\
CREATE TABLE outbox_rebuilt (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    priority     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'copy')),
    payload      TEXT NOT NULL,
    broadcast_id INTEGER REFERENCES broadcasts (id),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   INTEGER NOT NULL,
    error        TEXT,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER
);
INSERT INTO outbox_rebuilt (
    id, chat_id, priority, kind, payload, broadcast_id, status, attempts, not_before, error,
    created_at, sent_at
)
SELECT id, chat_id, priority, kind, payload, broadcast_id, status, attempts, not_before, error,
       created_at, sent_at
FROM outbox
WHERE kind IN ('text', 'copy');
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (priority, not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;
DROP TABLE outbox_files;
""",
    "postgresql": """\
DELETE FROM outbox WHERE kind = 'photo';
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('text', 'copy'));
DROP TABLE outbox_files;
""",
}


def upgrade() -> None:
    upgrade_to("0004_outbox_photos.sql")


def downgrade() -> None:
    downgrade_from("0004_outbox_photos.sql", _SCRIPTS)
