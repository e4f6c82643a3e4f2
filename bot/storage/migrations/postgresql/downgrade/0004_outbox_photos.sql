-- Undoes migration 0004 on PostgreSQL (SQLite: ../../downgrade/0004_outbox_photos.sql).
-- Queued photos are dropped with the kind.
DELETE FROM outbox WHERE kind = 'photo';
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('text', 'copy'));
DROP TABLE outbox_files;
