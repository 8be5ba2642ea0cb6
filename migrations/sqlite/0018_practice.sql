-- Members' quiz practice (issue 10 item 3): the daily quiz, practice by topic, the mistakes book
-- and timed topic exams. A round is one sitting: its questions drawn when it starts
-- (`practice_items`), each answer stored once (`practice_answers`, one per position: a resend
-- changes nothing). `round_key` names the rounds a member may have only one of — the day's
-- daily quiz, one attempt at an exam — and is NULL for practice.

CREATE TABLE practice_exams (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    title           TEXT    NOT NULL,
    category        TEXT    NOT NULL,
    question_count  INTEGER NOT NULL CHECK (question_count BETWEEN 1 AND 100),
    minutes         INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 300),
    pass_mark       INTEGER NOT NULL CHECK (pass_mark BETWEEN 1 AND 100),
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT    NOT NULL
);

CREATE TABLE practice_rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id   INTEGER NOT NULL REFERENCES members(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('daily', 'topic', 'mistakes', 'exam')),
    round_key   TEXT    UNIQUE,
    day         TEXT    NOT NULL,
    category    TEXT    NOT NULL DEFAULT '',
    exam_id     INTEGER REFERENCES practice_exams(id),
    started_at  TEXT    NOT NULL,
    deadline    TEXT
);

CREATE INDEX practice_rounds_member ON practice_rounds (member_id, kind, day);
CREATE INDEX practice_rounds_exam ON practice_rounds (exam_id);

CREATE TABLE practice_items (
    round_id     INTEGER NOT NULL REFERENCES practice_rounds(id),
    position     INTEGER NOT NULL,
    question_id  INTEGER NOT NULL REFERENCES questions(id),
    PRIMARY KEY (round_id, position)
);

CREATE TABLE practice_answers (
    round_id     INTEGER NOT NULL REFERENCES practice_rounds(id),
    position     INTEGER NOT NULL,
    member_id    INTEGER NOT NULL REFERENCES members(id),
    question_id  INTEGER NOT NULL REFERENCES questions(id),
    answer       TEXT    NOT NULL,
    correct      BOOLEAN NOT NULL,
    answered_at  TEXT    NOT NULL,
    PRIMARY KEY (round_id, position)
);

CREATE INDEX practice_answers_member ON practice_answers (member_id, question_id);

-- The mistakes book: a question answered wrong is in it until the member answers it right.
CREATE TABLE practice_mistakes (
    member_id    INTEGER NOT NULL REFERENCES members(id),
    question_id  INTEGER NOT NULL REFERENCES questions(id),
    wrong_at     TEXT    NOT NULL,
    PRIMARY KEY (member_id, question_id)
);
