-- Undoes migration 0014 on both databases, dropping what it added with its data.
DROP INDEX pages_platform_id;
ALTER TABLE pages DROP COLUMN platform_id;
