-- Figures read from the platforms (observations) beside the administrators' reports,
-- never over them; collection runs that survive a crash; what the cross-check flags.

-- A run of the collection: the open one (finished_at NULL) is the only one, whichever
-- process holds it; `holder` renews `heartbeat_at` after every batch, and a run whose
-- holder has stopped renewing (a crash) is taken over and resumed where it stopped.
CREATE TABLE collect_runs (
    id           INTEGER PRIMARY KEY,
    territory_id INTEGER REFERENCES territories (id),  -- NULL: the whole region
    started_by   INTEGER REFERENCES users (id),        -- NULL: the nightly job
    started_at   INTEGER NOT NULL,
    holder       TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE UNIQUE INDEX collect_runs_open ON collect_runs ((finished_at IS NULL))
    WHERE finished_at IS NULL;

-- A run's progress per platform: the pages are collected in the order of their ids, and
-- `last_page_id` is the last one stored, in the same transaction as its batch.
CREATE TABLE collect_run_platforms (
    run_id       INTEGER NOT NULL REFERENCES collect_runs (id) ON DELETE CASCADE,
    platform     TEXT NOT NULL REFERENCES platforms (code),
    last_page_id INTEGER NOT NULL DEFAULT 0,
    -- 'running', 'done', or 'unavailable' (the platform could not be asked this run).
    state        TEXT NOT NULL DEFAULT 'running'
                 CHECK (state IN ('running', 'done', 'unavailable')),
    PRIMARY KEY (run_id, platform)
);

-- How many pages of a run ended each way: 'collected' or an Uncollectable reason.
CREATE TABLE collect_run_outcomes (
    run_id  INTEGER NOT NULL REFERENCES collect_runs (id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    pages   INTEGER NOT NULL,
    PRIMARY KEY (run_id, outcome)
);

CREATE TABLE observations (
    id          INTEGER PRIMARY KEY,
    page_id     INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    figure      INTEGER NOT NULL CHECK (figure BETWEEN 0 AND 1000000000),
    observed_at INTEGER NOT NULL,
    source      TEXT NOT NULL,  -- the platform whose API gave it
    run_id      INTEGER REFERENCES collect_runs (id) ON DELETE SET NULL
);
CREATE INDEX observations_page_time ON observations (page_id, observed_at);

-- The page's latest observation (the current figure is the most recent of it and the
-- latest report), and why the last collection could not read it (an Uncollectable
-- value and the platform's words; NULL when it could).
ALTER TABLE pages ADD COLUMN observed_figure INTEGER;
ALTER TABLE pages ADD COLUMN observed_at INTEGER;
ALTER TABLE pages ADD COLUMN collect_status TEXT;
ALTER TABLE pages ADD COLUMN collect_detail TEXT;
CREATE INDEX pages_observed_at ON pages (observed_at) WHERE observed_at IS NOT NULL;
CREATE INDEX pages_collect_status ON pages (collect_status) WHERE collect_status IS NOT NULL;

-- What the cross-check found: a report far from the same day's observation
-- ('discrepancy': `reported` vs `observed`), or an observed count that jumped in a day
-- ('jump': `reported` holds the previous observation). One open flag per page and kind;
-- a later report that agrees clears a discrepancy.
CREATE TABLE page_flags (
    id         INTEGER PRIMARY KEY,
    page_id    INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('discrepancy', 'jump')),
    reported   INTEGER NOT NULL,
    observed   INTEGER NOT NULL,
    flagged_at INTEGER NOT NULL,
    cleared_at INTEGER
);
CREATE UNIQUE INDEX page_flags_open ON page_flags (page_id, kind) WHERE cleared_at IS NULL;
CREATE INDEX page_flags_time ON page_flags (flagged_at);

-- The figure of the latest report (the current figure may now be an observation's):
-- until now the current figure of a page with a report date was the reported one.
ALTER TABLE pages ADD COLUMN reported_figure INTEGER;
UPDATE pages SET reported_figure = current_figure WHERE last_report_at IS NOT NULL;
