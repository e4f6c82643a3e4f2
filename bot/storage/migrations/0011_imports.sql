-- Registry imports: a file checked by a dry run is kept here (its rows as JSON) until
-- its author applies it; an applied import keeps its row (the rows cleared) as what its
-- pages and first figures came from. `created_by` is the superadmin who uploaded it, or
-- the user the command line attributes it to.

CREATE TABLE imports (
    id         INTEGER PRIMARY KEY,
    file_name  TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    rows       TEXT,            -- the file's rows (JSON) until applied; NULL afterwards
    problems   TEXT,            -- the dry run's problems (JSON), for paging through them
    applied_at INTEGER,
    pages      INTEGER          -- pages created when applied
);
CREATE INDEX imports_author ON imports (created_by) WHERE applied_at IS NULL;

-- An imported page has no registrant (created_by NULL) and no administrator until one is
-- named, invited or claims it; its first figure is a report with reported_by NULL.
ALTER TABLE pages ADD COLUMN import_id INTEGER REFERENCES imports (id);
ALTER TABLE reports ADD COLUMN import_id INTEGER REFERENCES imports (id);
CREATE INDEX pages_import ON pages (import_id) WHERE import_id IS NOT NULL;
