-- One delivery queue for everything the bot sends on its own (alerts, reminders,
-- broadcasts, digests): rows are written in the same transaction as the event that
-- causes them and sent by one worker (bot/services/delivery.py).
-- Times are Unix seconds (UTC).

-- A coordinator's broadcast: its recipients' rows in `outbox` point here.
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    author_id           INTEGER NOT NULL REFERENCES users (id),
    source_chat_id      INTEGER NOT NULL,   -- the message copied to every recipient
    source_message_id   INTEGER NOT NULL,
    segment             TEXT NOT NULL,      -- JSON: who the broadcast was addressed to
    territory_scope     INTEGER,            -- the author's territory, if they have one
    status              TEXT NOT NULL CHECK (status IN ('sending', 'done', 'cancelled')),
    recipients          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    finished_at         INTEGER,
    progress_chat_id    INTEGER,            -- the message that shows the progress
    progress_message_id INTEGER
);

-- Lifecycle: pending → sending → sent | failed | blocked; pending → cancelled.
-- A crash leaves rows in 'sending': they go back to pending at the next start.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    chat_id      INTEGER NOT NULL,
    priority     INTEGER NOT NULL,        -- lower goes first
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'copy')),
    -- JSON. text: {"text", "reply_markup"?} sent with parse_mode HTML;
    -- copy: {"from_chat_id", "message_id"}.
    payload      TEXT NOT NULL,
    broadcast_id INTEGER REFERENCES broadcasts (id),
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    not_before   INTEGER NOT NULL,        -- not sent before this time (retry backoff)
    error        TEXT,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER
);
-- The due scan walks only pending rows, already in the order they go out.
CREATE INDEX outbox_due ON outbox (priority, not_before, id) WHERE status = 'pending';
-- A broadcast's progress and cancellation.
CREATE INDEX outbox_broadcast ON outbox (broadcast_id, status) WHERE broadcast_id IS NOT NULL;
