-- PostgreSQL's form of ../0007_user_source.sql: where a user first came from (the
-- payload of the first campaign link they opened); NULL for those who came directly.

ALTER TABLE users ADD COLUMN source TEXT CHECK (source IS NULL OR length(source) <= 64);

-- Newcomers of a week, for coordinators' digests.
CREATE INDEX users_created ON users (created_at);
