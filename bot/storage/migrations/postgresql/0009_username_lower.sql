-- PostgreSQL's form of ../0009_username_lower.sql. On PostgreSQL the index has followed
-- lower(username) since 0001 (PostgreSQL has no COLLATE NOCASE): it is made again as it
-- was, so that this revision runs SQL on both databases.

DROP INDEX users_username;
CREATE INDEX users_username ON users (lower(username));
