-- Online speech contests (线上演讲比赛, S14; issue 12 item 3). A contest belongs to the unit of
-- the staff member who set it up (its subtree may see it); its rubric is stored as text,
-- "内容:40,表达:30,仪态:20,时间:10" (weights sum to 100). Rounds (初赛, 决赛…) open and close
-- for entries, scores and votes. Judges are chosen accounts. An entry is a member's speech in a
-- round (UNIQUE per round and member). A judge's score of an entry is one row, revised in place
-- until the round closes. A vote is one row, UNIQUE per (entry, member): a second vote, however
-- it arrives, is refused by the database.

CREATE TABLE speech_contests (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    unit_path   TEXT    NOT NULL,
    rubric      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('running', 'finished')),
    created_at  TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    finished_at TEXT
);
CREATE INDEX speech_contests_unit_path ON speech_contests (unit_path);

CREATE TABLE speech_rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    contest_id  INTEGER NOT NULL REFERENCES speech_contests(id),
    position    INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'open', 'closed')),
    UNIQUE (contest_id, position)
);

CREATE TABLE speech_judges (
    contest_id  INTEGER NOT NULL REFERENCES speech_contests(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (contest_id, user_id)
);

CREATE TABLE speech_entries (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id    INTEGER NOT NULL REFERENCES speech_rounds(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    title       TEXT    NOT NULL,
    script      TEXT    NOT NULL,
    video_url   TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    UNIQUE (round_id, member_id)
);

CREATE TABLE speech_scores (
    entry_id    INTEGER NOT NULL REFERENCES speech_entries(id),
    judge_id    INTEGER NOT NULL REFERENCES users(id),
    marks       TEXT    NOT NULL,
    total       INTEGER NOT NULL CHECK (total BETWEEN 0 AND 100),
    scored_at   TEXT    NOT NULL,
    PRIMARY KEY (entry_id, judge_id)
);

CREATE TABLE speech_votes (
    entry_id    INTEGER NOT NULL REFERENCES speech_entries(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    voted_at    TEXT    NOT NULL,
    PRIMARY KEY (entry_id, member_id)
);
