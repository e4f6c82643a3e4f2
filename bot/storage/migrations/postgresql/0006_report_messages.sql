-- PostgreSQL's form of ../0006_report_messages.sql: the message that carried each
-- report, so that an edit of that message is answered. Older reports have none.
ALTER TABLE reports ADD COLUMN chat_id BIGINT;
ALTER TABLE reports ADD COLUMN message_id BIGINT;
CREATE INDEX reports_message ON reports (chat_id, message_id) WHERE message_id IS NOT NULL;
