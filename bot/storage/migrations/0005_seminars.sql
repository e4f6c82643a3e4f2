-- Seminars coordinators announce to a segment of administrators, and who registered.
-- Times are Unix seconds (UTC); they are shown in the region's time zone.

CREATE TABLE seminars (
    id               INTEGER PRIMARY KEY,
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    starts_at        INTEGER NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    place            TEXT NOT NULL,     -- an online link or an address
    capacity         INTEGER CHECK (capacity IS NULL OR capacity > 0),  -- NULL: no limit
    segment          TEXT NOT NULL,     -- JSON (bot.domain.segments.Segment): who is invited
    created_by       INTEGER NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL
);
CREATE INDEX seminars_starts ON seminars (starts_at);

CREATE TABLE seminar_registrations (
    seminar_id    INTEGER NOT NULL REFERENCES seminars (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    registered_at INTEGER NOT NULL,
    PRIMARY KEY (seminar_id, user_id)
) WITHOUT ROWID;
CREATE INDEX seminar_registrations_user ON seminar_registrations (user_id);
