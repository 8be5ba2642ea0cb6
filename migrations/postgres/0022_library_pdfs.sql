-- PDFs in the library (S8): an item of kind 'pdf' is a file stored under the data directory's
-- media folder by a random name (`file_name`, `size_bytes`), typed from its first bytes.

ALTER TABLE library_items DROP CONSTRAINT library_items_kind_check;
ALTER TABLE library_items ADD CONSTRAINT library_items_kind_check CHECK (kind IN ('article', 'link', 'pdf'));
ALTER TABLE library_items ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE library_items ADD COLUMN size_bytes BIGINT NOT NULL DEFAULT 0;
