-- Undoes migration 0017 on both databases.
DROP INDEX pages_unclaimed;
DROP INDEX pages_verified;
