-- Undoes migration 0009 on SQLite (PostgreSQL: ../postgresql/downgrade/),
-- dropping what it added with its data.
-- PostgreSQL's index was lower(username) before too: nothing to undo there.
DROP INDEX users_username;
CREATE INDEX users_username ON users (username COLLATE NOCASE);
