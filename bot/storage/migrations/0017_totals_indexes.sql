-- /total reads two figures from pages rather than from the maintained sums. These
-- indexes let it read only the pages concerned, however many pages there are:
-- the verified share, from the approved pages observed lately (covering: no page is read);
CREATE INDEX pages_verified ON pages (observed_at, territory_id, observed_figure, current_figure)
    WHERE status = 'approved';
-- the unclaimed count, from the approved pages of the imported registry (created by
-- nobody), the only pages that can never have had an administrator.
CREATE INDEX pages_unclaimed ON pages (territory_id) WHERE status = 'approved' AND created_by IS NULL;
