-- The live knowledge contest (知识竞赛, issue 10 item 4). A contest belongs to the unit of the
-- staff member who set it up (its subtree may see it); its questions are picked from the bank.
-- An entrant is who scores: a person (individual mode) or a village team (team mode); a device is
-- one phone's token (hashed), several phones may answer for one team. Every answer is one row,
-- UNIQUE per (contest, question, entrant): a phone that sends twice is counted once.

CREATE TABLE contests (
    id                   BIGSERIAL PRIMARY KEY,
    title                TEXT    NOT NULL,
    unit_id              BIGINT  NOT NULL REFERENCES units(id),
    unit_path            TEXT    NOT NULL,
    mode                 TEXT    NOT NULL CHECK (mode IN ('individual', 'team')),
    seconds_per_question BIGINT  NOT NULL CHECK (seconds_per_question BETWEEN 5 AND 300),
    join_code            TEXT    NOT NULL,
    status               TEXT    NOT NULL CHECK (status IN ('draft', 'running', 'finished')),
    created_at           TIMESTAMPTZ NOT NULL,
    created_by           BIGINT  REFERENCES users(id),
    finished_at          TIMESTAMPTZ
);
CREATE UNIQUE INDEX contests_open_code ON contests (join_code) WHERE status <> 'finished';
CREATE INDEX contests_unit_path ON contests (unit_path);

CREATE TABLE contest_questions (
    contest_id  BIGINT  NOT NULL REFERENCES contests(id),
    position    BIGINT  NOT NULL,
    question_id BIGINT  NOT NULL REFERENCES questions(id),
    skipped     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (contest_id, position)
);

CREATE TABLE contest_entrants (
    id           BIGSERIAL PRIMARY KEY,
    contest_id   BIGINT  NOT NULL REFERENCES contests(id),
    name         TEXT    NOT NULL,
    member_id    BIGINT  REFERENCES members(id),
    team_unit_id BIGINT  REFERENCES units(id),
    joined_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX contest_entrants_member ON contest_entrants (contest_id, member_id)
    WHERE member_id IS NOT NULL AND team_unit_id IS NULL;
CREATE UNIQUE INDEX contest_entrants_team ON contest_entrants (contest_id, team_unit_id)
    WHERE team_unit_id IS NOT NULL;

CREATE TABLE contest_devices (
    id          BIGSERIAL PRIMARY KEY,
    entrant_id  BIGINT  NOT NULL REFERENCES contest_entrants(id),
    token_hash  TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    member_id   BIGINT  REFERENCES members(id),
    joined_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX contest_devices_entrant ON contest_devices (entrant_id);

CREATE TABLE contest_answers (
    id          BIGSERIAL PRIMARY KEY,
    contest_id  BIGINT  NOT NULL REFERENCES contests(id),
    position    BIGINT  NOT NULL,
    entrant_id  BIGINT  NOT NULL REFERENCES contest_entrants(id),
    device_id   BIGINT  NOT NULL REFERENCES contest_devices(id),
    answer      TEXT    NOT NULL,
    correct     BOOLEAN NOT NULL,
    score       BIGINT  NOT NULL,
    answered_at TIMESTAMPTZ NOT NULL,
    UNIQUE (contest_id, position, entrant_id)
);
