-- PDFs in the library (S8), and live lessons' recordings attached afterwards (S13).
--
-- An item of kind 'pdf' is a file stored under the data directory's
-- media folder by a random name (`file_name`, `size_bytes`), typed from its first bytes.
--
-- SQLite cannot change a CHECK constraint in place: library_items is rebuilt. Its two child
-- tables are kept aside first (copies without keys), so that dropping the old table deletes
-- no row anything still points at, then put back with their keys on the rebuilt table.

CREATE TABLE library_items_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('article', 'link', 'pdf')),
    title        TEXT    NOT NULL,
    category     TEXT    NOT NULL DEFAULT '',
    tags         TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    min_seconds  INTEGER NOT NULL DEFAULT 60,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT    NOT NULL,
    file_name    TEXT    NOT NULL DEFAULT '',
    size_bytes   INTEGER NOT NULL DEFAULT 0
);
INSERT INTO library_items_new (id, kind, title, category, tags, body, url, min_seconds, created_by, created_at)
    SELECT id, kind, title, category, tags, body, url, min_seconds, created_by, created_at FROM library_items;

CREATE TABLE library_readings_keep AS SELECT * FROM library_readings;
CREATE TABLE library_list_items_keep AS SELECT * FROM library_list_items;
DROP TABLE library_readings;
DROP TABLE library_list_items;
DROP TABLE library_items;
ALTER TABLE library_items_new RENAME TO library_items;

CREATE TABLE library_readings (
    item_id      INTEGER NOT NULL REFERENCES library_items(id),
    member_id    INTEGER NOT NULL REFERENCES members(id),
    day          TEXT    NOT NULL,
    seconds      INTEGER NOT NULL DEFAULT 0,
    reached_end  BOOLEAN NOT NULL DEFAULT FALSE,
    counted      BOOLEAN NOT NULL DEFAULT FALSE,
    last_beat_at TEXT    NOT NULL,
    PRIMARY KEY (item_id, member_id, day)
);
INSERT INTO library_readings SELECT * FROM library_readings_keep;
DROP TABLE library_readings_keep;

CREATE TABLE library_list_items (
    list_id      INTEGER NOT NULL REFERENCES library_lists(id),
    item_id      INTEGER NOT NULL REFERENCES library_items(id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (list_id, item_id)
);
INSERT INTO library_list_items SELECT * FROM library_list_items_keep;
DROP TABLE library_list_items_keep;

-- A live lesson's recording, attached afterwards (S13): a classroom episode, played on the live
-- session's page once it is over and counted at 90 % as a recorded session is.
CREATE TABLE session_replays (
    session_id   INTEGER PRIMARY KEY REFERENCES training_sessions(id),
    episode_id   INTEGER NOT NULL REFERENCES class_episodes(id),
    attached_by  INTEGER REFERENCES users(id),
    attached_at  TEXT    NOT NULL
);
