-- Claims of pages without an administrator, hand-over invites, and what tells an
-- orphaned page (its administrators left or blocked the bot) from an unclaimed one
-- (imported, never administered): who left when, and since when a user is unreachable.

-- Set when `reachable` goes 0 (Telegram answered 403), cleared when the user writes
-- again. Users already unreachable were last known reachable when last seen.
ALTER TABLE users ADD COLUMN unreachable_since INTEGER;
UPDATE users SET unreachable_since = seen_at WHERE reachable = 0;
CREATE INDEX users_unreachable ON users (id) WHERE reachable = 0;

-- Every administrator who stopped administering a page (left, or handed it over).
CREATE TABLE page_departures (
    id      INTEGER PRIMARY KEY,
    page_id INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    left_at INTEGER NOT NULL
);
CREATE INDEX page_departures_page ON page_departures (page_id, left_at);
-- A page without administrators before this migration lost them to a departure that was
-- not recorded: its creator is the best-known last administrator, its last change the
-- best-known date.
INSERT INTO page_departures (page_id, user_id, left_at)
SELECT p.id, p.created_by, p.changed_at
  FROM pages p
 WHERE p.created_by IS NOT NULL
   AND NOT EXISTS (SELECT 1 FROM page_admins a WHERE a.page_id = p.id);

-- A hand-over invite makes its giver leave the page when the recipient accepts it.
ALTER TABLE invites ADD COLUMN hand_over INTEGER NOT NULL DEFAULT 0;

CREATE TABLE page_claims (
    id         INTEGER PRIMARY KEY,
    page_id    INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'approved', 'rejected')),
    reason     TEXT,
    created_at INTEGER NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at INTEGER
);
-- One claim of a page waits at a time: a second claimant is told it is being claimed.
CREATE UNIQUE INDEX page_claims_pending_page ON page_claims (page_id) WHERE status = 'pending';
CREATE INDEX page_claims_status ON page_claims (status, created_at);
