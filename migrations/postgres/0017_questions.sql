-- The question bank (题库): 单选, 多选, 判断, 填空. `stem_key` is the stem without spaces,
-- punctuation or width differences: the same question is stored once.

CREATE TABLE questions (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('single', 'multiple', 'judge', 'blank')),
    stem         TEXT    NOT NULL,
    stem_key     TEXT    NOT NULL UNIQUE,
    option_a     TEXT    NOT NULL DEFAULT '',
    option_b     TEXT    NOT NULL DEFAULT '',
    option_c     TEXT    NOT NULL DEFAULT '',
    option_d     TEXT    NOT NULL DEFAULT '',
    option_e     TEXT    NOT NULL DEFAULT '',
    option_f     TEXT    NOT NULL DEFAULT '',
    answer       TEXT    NOT NULL,
    explanation  TEXT    NOT NULL DEFAULT '',
    category     TEXT    NOT NULL DEFAULT '',
    difficulty   TEXT    NOT NULL DEFAULT '',
    source       TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   BIGINT  REFERENCES users(id)
);

CREATE INDEX questions_category ON questions (category, kind);
