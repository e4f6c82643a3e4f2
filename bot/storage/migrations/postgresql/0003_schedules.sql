-- PostgreSQL's form of ../0003_schedules.sql: what the scheduled jobs need.

-- Daily totals per segment, as of the end of each day in the region's time zone.
-- Re-running a day replaces its rows.
CREATE TABLE daily_totals (
    day          TEXT NOT NULL,     -- YYYY-MM-DD, regional time
    territory_id BIGINT NOT NULL,
    level        TEXT NOT NULL,
    theme        TEXT NOT NULL,
    platform     TEXT NOT NULL,
    pages        BIGINT NOT NULL,
    subscribers  BIGINT NOT NULL,
    PRIMARY KEY (day, territory_id, level, theme, platform)
);

-- Each milestone is crossed once: a figure that hovers around a threshold alerts once.
CREATE TABLE milestones (
    scope      TEXT NOT NULL CHECK (scope IN ('page', 'territory', 'region')),
    subject_id BIGINT NOT NULL,     -- page or territory id; 0 for the region
    threshold  BIGINT NOT NULL,
    reached_at BIGINT NOT NULL,
    PRIMARY KEY (scope, subject_id, threshold)
);

-- The last report reminder per page: at most one every N days.
CREATE TABLE report_reminders (
    page_id        BIGINT PRIMARY KEY REFERENCES pages (id) ON DELETE CASCADE,
    last_sent_at   BIGINT NOT NULL
);

-- One digest per user and period, whoever (job, restart, second process) tries again.
CREATE TABLE digest_deliveries (
    user_id    BIGINT NOT NULL REFERENCES users (id),
    period     TEXT NOT NULL,       -- e.g. 2026-W48
    queued_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Subscriptions chosen in /settings (both on by default).
ALTER TABLE users ADD COLUMN wants_digest BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN wants_reminders BIGINT NOT NULL DEFAULT 1;

-- One scheduler per database: the process holding an unexpired lease runs the jobs.
CREATE TABLE scheduler_lease (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
