-- The audit log: every privileged action, who took it, when, and on what.
-- `subject_kind`/`subject_id` name what was acted on (a page, a user, a seminar, ...);
-- `territory_id` is the subject's territory, so a scoped coordinator sees their own;
-- `details` is a short JSON object (a reason, a count), never a whole record.

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,            -- NULL: the command line or the bot itself
    action       TEXT NOT NULL,
    subject_kind TEXT,
    subject_id   INTEGER,
    territory_id INTEGER REFERENCES territories (id),
    details      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_territory ON audit_log (territory_id, at);
