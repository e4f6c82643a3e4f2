-- Which process claimed a row in 'sending' ("host:pid"): where several processes share
-- the database, the leader sends, and a new leader puts back what a dead one left.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
