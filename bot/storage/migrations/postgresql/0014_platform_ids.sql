-- PostgreSQL's form of ../0014_platform_ids.sql: the community's own id on its platform,
-- once a platform has told it; two pages with one id are one community registered twice.
ALTER TABLE pages ADD COLUMN platform_id TEXT;
CREATE INDEX pages_platform_id ON pages (platform, platform_id) WHERE platform_id IS NOT NULL;
