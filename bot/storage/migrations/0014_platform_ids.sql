-- The community's own id on its platform, once a platform has told it (VK: the numeric
-- group id behind club123, public123 and a screen name alike): two pages with one id are
-- one community registered twice.
ALTER TABLE pages ADD COLUMN platform_id TEXT;
CREATE INDEX pages_platform_id ON pages (platform, platform_id) WHERE platform_id IS NOT NULL;
