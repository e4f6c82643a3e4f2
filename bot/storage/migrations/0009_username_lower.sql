-- Usernames are looked up whatever their letter case as lower(username) = lower(:name),
-- a form PostgreSQL accepts too (COLLATE NOCASE is SQLite's own): the index follows the
-- expression, so the lookup stays indexed.

DROP INDEX users_username;
CREATE INDEX users_username ON users (lower(username));
