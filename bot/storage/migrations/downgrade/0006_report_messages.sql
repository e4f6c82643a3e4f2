-- Undoes migration 0006 on both databases, dropping what it added with its data.
DROP INDEX reports_message;
ALTER TABLE reports DROP COLUMN message_id;
ALTER TABLE reports DROP COLUMN chat_id;
