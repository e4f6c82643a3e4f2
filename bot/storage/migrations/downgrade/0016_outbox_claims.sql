-- Undoes migration 0016 on both databases.
ALTER TABLE outbox DROP COLUMN claimed_by;
