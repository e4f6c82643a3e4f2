-- Undoes migration 0002 on both databases, dropping what it added with its data.
DROP TABLE outbox;
DROP TABLE broadcasts;
