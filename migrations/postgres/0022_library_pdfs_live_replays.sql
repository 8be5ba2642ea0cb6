-- PDFs in the library (S8), and live lessons' recordings attached afterwards (S13).
--
-- An item of kind 'pdf' is a file stored under the data directory's
-- media folder by a random name (`file_name`, `size_bytes`), typed from its first bytes.

ALTER TABLE library_items DROP CONSTRAINT library_items_kind_check;
ALTER TABLE library_items ADD CONSTRAINT library_items_kind_check CHECK (kind IN ('article', 'link', 'pdf'));
ALTER TABLE library_items ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE library_items ADD COLUMN size_bytes BIGINT NOT NULL DEFAULT 0;

-- A live lesson's recording, attached afterwards (S13): a classroom episode, played on the live
-- session's page once it is over and counted at 90 % as a recorded session is.
CREATE TABLE session_replays (
    session_id   BIGINT PRIMARY KEY REFERENCES training_sessions(id),
    episode_id   BIGINT NOT NULL REFERENCES class_episodes(id),
    attached_by  BIGINT REFERENCES users(id),
    attached_at  TIMESTAMPTZ NOT NULL
);
