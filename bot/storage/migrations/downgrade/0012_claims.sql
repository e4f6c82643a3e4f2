-- Undoes migration 0012 on both databases, dropping what it added with its data.
DROP TABLE page_claims;
ALTER TABLE invites DROP COLUMN hand_over;
DROP TABLE page_departures;
DROP INDEX users_unreachable;
ALTER TABLE users DROP COLUMN unreachable_since;
