-- Undoes migration 0015 on both databases, dropping what it added with its data.
ALTER TABLE pages DROP COLUMN reported_figure;
DROP TABLE page_flags;
DROP INDEX pages_collect_status;
DROP INDEX pages_observed_at;
ALTER TABLE pages DROP COLUMN collect_detail;
ALTER TABLE pages DROP COLUMN collect_status;
ALTER TABLE pages DROP COLUMN observed_at;
ALTER TABLE pages DROP COLUMN observed_figure;
DROP TABLE observations;
DROP TABLE collect_run_outcomes;
DROP TABLE collect_run_platforms;
DROP TABLE collect_runs;
