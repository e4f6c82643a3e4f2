-- Undoes migration 0001 on SQLite (PostgreSQL: ../postgresql/downgrade/),
-- dropping what it added with its data.
DROP TRIGGER pages_count_delete;
DROP TRIGGER pages_count_update;
DROP TRIGGER pages_count_insert;
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
