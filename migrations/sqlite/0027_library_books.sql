-- Books in the study library (S8, issue 11 item 1): physical copies for door-to-door delivery,
-- with a stock count that visits draw down.
--
-- library_items gains the kind 'book', with `author`, `publisher` and `stock` (copies in hand,
-- never below zero). The door-to-door catalogue keeps its rows (tasks and visits name materials
-- by name); a book-kind material points at its library book through `book_id`, and the existing
-- book-kind rows become library books here, with no stock counted yet (staff count them in).
-- library_book_moves: every change of a book's stock — 'in' (入库), 'out' (送出, by a visit:
-- one copy per book per visit, UNIQUE) and 'adjust' (调整: counted in or written off) — with
-- its reason, who, when and the stock after it.
--
-- SQLite cannot change a CHECK constraint in place: library_items is rebuilt as in 0022, its
-- two child tables kept aside first and put back with their keys on the rebuilt table.

CREATE TABLE library_items_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL CHECK (kind IN ('article', 'link', 'pdf', 'book')),
    title        TEXT    NOT NULL,
    category     TEXT    NOT NULL DEFAULT '',
    tags         TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    min_seconds  INTEGER NOT NULL DEFAULT 60,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT    NOT NULL,
    file_name    TEXT    NOT NULL DEFAULT '',
    size_bytes   INTEGER NOT NULL DEFAULT 0,
    author       TEXT    NOT NULL DEFAULT '',
    publisher    TEXT    NOT NULL DEFAULT '',
    stock        INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0)
);
INSERT INTO library_items_new (id, kind, title, category, tags, body, url, min_seconds, created_by, created_at, file_name, size_bytes)
    SELECT id, kind, title, category, tags, body, url, min_seconds, created_by, created_at, file_name, size_bytes FROM library_items;

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

ALTER TABLE delivery_materials ADD COLUMN book_id INTEGER REFERENCES library_items(id);
CREATE UNIQUE INDEX delivery_materials_book ON delivery_materials (book_id);

CREATE TABLE library_book_moves (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    book_id      INTEGER NOT NULL REFERENCES library_items(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('in', 'out', 'adjust')),
    delta        INTEGER NOT NULL CHECK (delta <> 0),
    stock_after  INTEGER NOT NULL CHECK (stock_after >= 0),
    reason       TEXT    NOT NULL DEFAULT '',
    visit_id     INTEGER REFERENCES delivery_visits(id),
    moved_by     INTEGER REFERENCES users(id),
    moved_at     TEXT    NOT NULL,
    UNIQUE (visit_id, book_id)
);
CREATE INDEX library_book_moves_book ON library_book_moves (book_id, id);

-- The catalogue's books become library books (category 图书), linked by name.
INSERT INTO library_items (kind, title, category, created_at)
    SELECT 'book', name, '图书', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM delivery_materials
    WHERE kind = 'book' ORDER BY id;
UPDATE delivery_materials SET book_id =
    (SELECT b.id FROM library_items b WHERE b.kind = 'book' AND b.title = delivery_materials.name)
    WHERE kind = 'book';
