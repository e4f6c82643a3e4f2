-- Undoes migration 0003 on both databases, dropping what it added with its data.
DROP TABLE scheduler_lease;
ALTER TABLE users DROP COLUMN wants_reminders;
ALTER TABLE users DROP COLUMN wants_digest;
DROP TABLE digest_deliveries;
DROP TABLE report_reminders;
DROP TABLE milestones;
DROP TABLE daily_totals;
