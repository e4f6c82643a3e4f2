-- Undoes migration 0010 on both databases, dropping what it added with its data.
DROP TABLE audit_log;
