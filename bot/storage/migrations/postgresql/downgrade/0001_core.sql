-- Undoes migration 0001 on PostgreSQL (SQLite: ../../downgrade/0001_core.sql).
DROP TABLE total_changes;
DROP TABLE segment_totals;
DROP TABLE fsm_states;
DROP TABLE invites;
DROP TABLE reports;
DROP TABLE page_admins;
DROP TABLE pages;
DROP TABLE users;
DROP TABLE themes;
DROP TABLE levels;
DROP TABLE platforms;
DROP TABLE territories;
DROP FUNCTION pages_count_delete();
DROP FUNCTION pages_count_update();
DROP FUNCTION pages_count_insert();
