-- Undoes migration 0013 on both databases, dropping what it added with its data.
DROP TABLE certificates;
ALTER TABLE users DROP COLUMN certificate_name;
DROP TABLE seminar_feedback;
DROP TABLE seminar_attendance;
DROP TABLE seminar_reminders;
DROP TABLE seminar_waitlist;
DROP INDEX seminars_checkin_code;
ALTER TABLE seminars DROP COLUMN checkin_code;
ALTER TABLE seminars DROP COLUMN revision;
ALTER TABLE seminars DROP COLUMN cancelled_at;
ALTER TABLE seminars DROP COLUMN academic_hours;
