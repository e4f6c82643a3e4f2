-- Undoes migration 0004 on SQLite (PostgreSQL: ../postgresql/downgrade/),
-- dropping what it added with its data.
-- Queued photos are dropped with the kind.
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
