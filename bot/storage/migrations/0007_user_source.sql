-- Where a user first came from: the payload of the first campaign link
-- (t.me/<bot>?start=<payload>) they opened; NULL for those who came directly.
-- Telegram limits payloads to 64 characters of A-Za-z0-9_-; the bot stores nothing else.

ALTER TABLE users ADD COLUMN source TEXT CHECK (source IS NULL OR length(source) <= 64);

-- Newcomers of a week, for coordinators' digests.
CREATE INDEX users_created ON users (created_at);
