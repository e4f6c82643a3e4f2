-- The core loop: territories, users and roles, pages, subscriber reports, invites,
-- wizard state, and the aggregates that keep /total a read of a few hundred rows.
-- Times are Unix seconds (UTC); subscriber figures are integers.

CREATE TABLE territories (
    id      INTEGER PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    kind    TEXT NOT NULL CHECK (kind IN ('region', 'urban_district', 'municipal_district', 'settlement')),
    name_ru TEXT NOT NULL,
    name_en TEXT NOT NULL,
    sort    INTEGER NOT NULL
);

CREATE TABLE platforms (code TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT INTO platforms (code) VALUES ('vk'), ('ok'), ('tg'), ('max'), ('other');

CREATE TABLE levels (code TEXT PRIMARY KEY, sort INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO levels (code, sort) VALUES
    ('federal', 1), ('regional', 2), ('municipal', 3), ('settlement', 4), ('institution', 5);

CREATE TABLE themes (code TEXT PRIMARY KEY, sort INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO themes (code, sort) VALUES
    ('administration', 1), ('culture', 2), ('sport', 3), ('education', 4), ('health', 5),
    ('social', 6), ('youth', 7), ('safety', 8), ('economy', 9), ('other', 10);

CREATE TABLE users (
    id                       INTEGER PRIMARY KEY,  -- the Telegram user id
    username                 TEXT,
    full_name                TEXT NOT NULL DEFAULT '',
    language_code            TEXT,                 -- as Telegram reports it
    locale                   TEXT,                 -- chosen in /settings; wins over language_code
    is_coordinator           INTEGER NOT NULL DEFAULT 0,
    coordinator_territory_id INTEGER REFERENCES territories (id),
    reachable                INTEGER NOT NULL DEFAULT 1,
    created_at               INTEGER NOT NULL,
    seen_at                  INTEGER NOT NULL
);
CREATE INDEX users_username ON users (username COLLATE NOCASE);
CREATE INDEX users_coordinators ON users (is_coordinator) WHERE is_coordinator = 1;

CREATE TABLE pages (
    id             INTEGER PRIMARY KEY,
    link_key       TEXT NOT NULL,      -- normalised link, for duplicate detection
    url            TEXT NOT NULL,
    platform       TEXT NOT NULL REFERENCES platforms (code),
    title          TEXT NOT NULL,
    territory_id   INTEGER NOT NULL REFERENCES territories (id),
    level          TEXT NOT NULL REFERENCES levels (code),
    theme          TEXT NOT NULL REFERENCES themes (code),
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'approved', 'rejected')),
    reject_reason  TEXT,
    created_by     INTEGER REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    decided_by     INTEGER REFERENCES users (id),
    decided_at     INTEGER,
    current_figure INTEGER CHECK (current_figure >= 0),
    last_report_at INTEGER,
    -- When status or current_figure last changed: the triggers below book the change
    -- at this time, so the aggregates follow the bot's clock, not SQLite's.
    changed_at     INTEGER NOT NULL
);
-- A rejected page frees its link for a corrected registration.
CREATE UNIQUE INDEX pages_link_key ON pages (link_key) WHERE status <> 'rejected';
CREATE INDEX pages_status_territory ON pages (status, territory_id);

CREATE TABLE page_admins (
    page_id  INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (page_id, user_id)
) WITHOUT ROWID;
CREATE INDEX page_admins_user ON page_admins (user_id);

CREATE TABLE reports (
    id          INTEGER PRIMARY KEY,
    page_id     INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    figure      INTEGER NOT NULL CHECK (figure BETWEEN 0 AND 1000000000),
    reported_at INTEGER NOT NULL,
    reported_by INTEGER REFERENCES users (id),
    -- The Telegram update that carried the report: a redelivered update stores nothing.
    update_id   INTEGER,
    UNIQUE (reported_by, update_id)
);
CREATE INDEX reports_page_time ON reports (page_id, reported_at);

CREATE TABLE invites (
    code       TEXT PRIMARY KEY,
    page_id    INTEGER NOT NULL REFERENCES pages (id) ON DELETE CASCADE,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_by    INTEGER REFERENCES users (id),
    used_at    INTEGER
) WITHOUT ROWID;

CREATE TABLE fsm_states (
    key   TEXT PRIMARY KEY,
    state TEXT,
    data  TEXT NOT NULL DEFAULT '{}'
) WITHOUT ROWID;

-- Approved pages' current figures summed per segment. Maintained by the triggers below,
-- so every code path that changes a page keeps it right.
CREATE TABLE segment_totals (
    territory_id INTEGER NOT NULL,
    level        TEXT NOT NULL,
    theme        TEXT NOT NULL,
    platform     TEXT NOT NULL,
    pages        INTEGER NOT NULL,
    subscribers  INTEGER NOT NULL,
    PRIMARY KEY (territory_id, level, theme, platform)
) WITHOUT ROWID;

-- Every change of the counted total, booked per hour and territory: the change over
-- the last N days is the sum of the rows since then.
CREATE TABLE total_changes (
    hour         INTEGER NOT NULL,
    territory_id INTEGER NOT NULL,
    delta        INTEGER NOT NULL,
    PRIMARY KEY (hour, territory_id)
) WITHOUT ROWID;

CREATE TRIGGER pages_count_insert AFTER INSERT ON pages WHEN NEW.status = 'approved'
BEGIN
    INSERT INTO segment_totals (territory_id, level, theme, platform, pages, subscribers)
    VALUES (NEW.territory_id, NEW.level, NEW.theme, NEW.platform, 1, coalesce(NEW.current_figure, 0))
    ON CONFLICT DO UPDATE SET pages = pages + 1, subscribers = subscribers + excluded.subscribers;
    INSERT INTO total_changes (hour, territory_id, delta)
    VALUES (NEW.changed_at / 3600, NEW.territory_id, coalesce(NEW.current_figure, 0))
    ON CONFLICT DO UPDATE SET delta = delta + excluded.delta;
END;

CREATE TRIGGER pages_count_update
AFTER UPDATE OF status, current_figure, territory_id, level, theme, platform ON pages
WHEN OLD.status = 'approved' OR NEW.status = 'approved'
BEGIN
    UPDATE segment_totals
       SET pages = pages - 1, subscribers = subscribers - coalesce(OLD.current_figure, 0)
     WHERE OLD.status = 'approved'
       AND territory_id = OLD.territory_id AND level = OLD.level
       AND theme = OLD.theme AND platform = OLD.platform;
    INSERT INTO segment_totals (territory_id, level, theme, platform, pages, subscribers)
    SELECT NEW.territory_id, NEW.level, NEW.theme, NEW.platform, 1, coalesce(NEW.current_figure, 0)
     WHERE NEW.status = 'approved'
    ON CONFLICT DO UPDATE SET pages = pages + 1, subscribers = subscribers + excluded.subscribers;
    INSERT INTO total_changes (hour, territory_id, delta)
    SELECT NEW.changed_at / 3600, OLD.territory_id, -coalesce(OLD.current_figure, 0)
     WHERE OLD.status = 'approved'
    ON CONFLICT DO UPDATE SET delta = delta + excluded.delta;
    INSERT INTO total_changes (hour, territory_id, delta)
    SELECT NEW.changed_at / 3600, NEW.territory_id, coalesce(NEW.current_figure, 0)
     WHERE NEW.status = 'approved'
    ON CONFLICT DO UPDATE SET delta = delta + excluded.delta;
END;

CREATE TRIGGER pages_count_delete AFTER DELETE ON pages WHEN OLD.status = 'approved'
BEGIN
    UPDATE segment_totals
       SET pages = pages - 1, subscribers = subscribers - coalesce(OLD.current_figure, 0)
     WHERE territory_id = OLD.territory_id AND level = OLD.level
       AND theme = OLD.theme AND platform = OLD.platform;
    INSERT INTO total_changes (hour, territory_id, delta)
    VALUES (OLD.changed_at / 3600, OLD.territory_id, -coalesce(OLD.current_figure, 0))
    ON CONFLICT DO UPDATE SET delta = delta + excluded.delta;
END;
