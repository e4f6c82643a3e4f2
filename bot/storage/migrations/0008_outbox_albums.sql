-- Albums in the delivery queue: a coordinator's broadcast of several photos, videos,
-- documents or audio files sent together, copied to each recipient in one copyMessages
-- request so that it stays an album.

-- SQLite cannot change a CHECK constraint in place: `outbox` is rebuilt, as in 0004, with
-- the new kind 'album' (payload {"from_chat_id", "message_ids"}: the ids in increasing
-- order). Nothing references `outbox`.
CREATE TABLE outbox_rebuilt (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    priority     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'copy', 'photo', 'album')),
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
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (priority, not_before, id) WHERE status = 'pending';
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;

-- How many messages a broadcast sends each recipient (an album: its items), so that the
-- time left it shows counts the rate budget each recipient takes.
ALTER TABLE broadcasts ADD COLUMN items INTEGER NOT NULL DEFAULT 1 CHECK (items >= 1);
