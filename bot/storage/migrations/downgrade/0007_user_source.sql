-- Undoes migration 0007 on both databases, dropping what it added with its data.
DROP INDEX users_created;
ALTER TABLE users DROP COLUMN source;
