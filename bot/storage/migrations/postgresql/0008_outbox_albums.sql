-- PostgreSQL's form of ../0008_outbox_albums.sql: albums in the delivery queue, copied
-- to each recipient in one copyMessages request.

-- The new kind 'album' (payload {"from_chat_id", "message_ids"}: the ids in increasing
-- order). PostgreSQL changes the CHECK in place.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
    CHECK (kind IN ('text', 'copy', 'photo', 'album'));

-- How many messages a broadcast sends each recipient (an album: its items), so that the
-- time left it shows counts the rate budget each recipient takes.
ALTER TABLE broadcasts ADD COLUMN items BIGINT NOT NULL DEFAULT 1 CHECK (items >= 1);
