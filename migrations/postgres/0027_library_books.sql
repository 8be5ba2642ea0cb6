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

ALTER TABLE library_items DROP CONSTRAINT library_items_kind_check;
ALTER TABLE library_items ADD CONSTRAINT library_items_kind_check CHECK (kind IN ('article', 'link', 'pdf', 'book'));
ALTER TABLE library_items ADD COLUMN author TEXT NOT NULL DEFAULT '';
ALTER TABLE library_items ADD COLUMN publisher TEXT NOT NULL DEFAULT '';
ALTER TABLE library_items ADD COLUMN stock BIGINT NOT NULL DEFAULT 0 CHECK (stock >= 0);

ALTER TABLE delivery_materials ADD COLUMN book_id BIGINT REFERENCES library_items(id);
CREATE UNIQUE INDEX delivery_materials_book ON delivery_materials (book_id);

CREATE TABLE library_book_moves (
    id           BIGSERIAL PRIMARY KEY,
    book_id      BIGINT  NOT NULL REFERENCES library_items(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('in', 'out', 'adjust')),
    delta        BIGINT  NOT NULL CHECK (delta <> 0),
    stock_after  BIGINT  NOT NULL CHECK (stock_after >= 0),
    reason       TEXT    NOT NULL DEFAULT '',
    visit_id     BIGINT  REFERENCES delivery_visits(id),
    moved_by     BIGINT  REFERENCES users(id),
    moved_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (visit_id, book_id)
);
CREATE INDEX library_book_moves_book ON library_book_moves (book_id, id);

-- The catalogue's books become library books (category 图书), linked by name.
INSERT INTO library_items (kind, title, category, created_at)
    SELECT 'book', name, '图书', now() FROM delivery_materials WHERE kind = 'book' ORDER BY id;
UPDATE delivery_materials SET book_id =
    (SELECT b.id FROM library_items b WHERE b.kind = 'book' AND b.title = delivery_materials.name)
    WHERE kind = 'book';
