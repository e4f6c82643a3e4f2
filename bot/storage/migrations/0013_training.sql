-- Training: seminars a coordinator manages after announcing them, waiting lists,
-- reminders, attendance, feedback and certificates. Times are Unix seconds (UTC).

-- Academic hours (45 minutes each) for the continuing-education record; seminars
-- announced before this migration count their duration, rounded, at least one.
ALTER TABLE seminars ADD COLUMN academic_hours INTEGER NOT NULL DEFAULT 1
    CHECK (academic_hours > 0);
UPDATE seminars
   SET academic_hours = CASE WHEN (duration_minutes + 22) / 45 < 1 THEN 1
                             ELSE (duration_minutes + 22) / 45 END;
-- Set when a coordinator cancels the seminar; a cancelled seminar stays for the record.
ALTER TABLE seminars ADD COLUMN cancelled_at INTEGER;
-- Bumped by every change a coordinator makes: the calendar entry's SEQUENCE, so a
-- calendar that imported the seminar before replaces its entry (same UID).
ALTER TABLE seminars ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- The self check-in code shown at the seminar; NULL until a coordinator asks for it.
ALTER TABLE seminars ADD COLUMN checkin_code TEXT;
CREATE UNIQUE INDEX seminars_checkin_code ON seminars (checkin_code);

-- Who waits for a seat of a full seminar; the first in line has the lowest id.
CREATE TABLE seminar_waitlist (
    id         INTEGER PRIMARY KEY,
    seminar_id INTEGER NOT NULL REFERENCES seminars (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    joined_at  INTEGER NOT NULL,
    UNIQUE (seminar_id, user_id)
);

-- Each reminder (lead: minutes before the start) goes once to each registered person,
-- for the start it announced: a seminar moved to another time is reminded of again.
CREATE TABLE seminar_reminders (
    seminar_id   INTEGER NOT NULL REFERENCES seminars (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    starts_at    INTEGER NOT NULL,
    lead_minutes INTEGER NOT NULL,
    queued_at    INTEGER NOT NULL,
    PRIMARY KEY (seminar_id, user_id, starts_at, lead_minutes)
) WITHOUT ROWID;

-- Who came: marked by a coordinator on the list, or by the person with the code.
CREATE TABLE seminar_attendance (
    seminar_id INTEGER NOT NULL REFERENCES seminars (id),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    source     TEXT NOT NULL CHECK (source IN ('coordinator', 'code')),
    marked_by  INTEGER REFERENCES users (id),   -- the coordinator; NULL for the code
    marked_at  INTEGER NOT NULL,
    PRIMARY KEY (seminar_id, user_id)
) WITHOUT ROWID;
CREATE INDEX seminar_attendance_user ON seminar_attendance (user_id);

-- Ratings of a seminar by those who came, asked once per person after it ends.
CREATE TABLE seminar_feedback (
    seminar_id   INTEGER NOT NULL REFERENCES seminars (id),
    user_id      INTEGER NOT NULL REFERENCES users (id),
    asked_at     INTEGER NOT NULL,
    rating       INTEGER CHECK (rating BETWEEN 1 AND 5),  -- NULL: not rated yet
    comment      TEXT NOT NULL DEFAULT '',
    rated_at     INTEGER,
    PRIMARY KEY (seminar_id, user_id)
) WITHOUT ROWID;

-- The name printed on certificates, asked once: Telegram names are often nicknames.
ALTER TABLE users ADD COLUMN certificate_name TEXT;

-- Certificates of attendance; `id` is the public code printed on the certificate and
-- in its verification link.
CREATE TABLE certificates (
    id             TEXT PRIMARY KEY,
    seminar_id     INTEGER NOT NULL REFERENCES seminars (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    full_name      TEXT NOT NULL,      -- as printed
    academic_hours INTEGER NOT NULL,   -- as printed
    issued_at      INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_by     INTEGER REFERENCES users (id),
    UNIQUE (seminar_id, user_id)
);
CREATE INDEX certificates_user ON certificates (user_id);
