-- Undoes migration 0008 on PostgreSQL (SQLite: ../../downgrade/0008_outbox_albums.sql).
-- Queued albums are dropped with the kind.
ALTER TABLE broadcasts DROP COLUMN items;
DELETE FROM outbox WHERE kind = 'album';
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK (kind IN ('text', 'copy', 'photo'));
