-- Undoes migration 0011 on both databases, dropping what it added with its data.
DROP INDEX pages_import;
ALTER TABLE reports DROP COLUMN import_id;
ALTER TABLE pages DROP COLUMN import_id;
DROP TABLE imports;
