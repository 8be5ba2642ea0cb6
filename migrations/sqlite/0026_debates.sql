-- Debates (辩论赛, S14, issue 12 item 4). A tournament belongs to the unit of the staff member who
-- set it up (its subtree's staff manage it); its teams are units inside that subtree, seeded in
-- the order typed, each with its debaters (members of the team's unit or below); its judges are
-- accounts. The bracket is single elimination: match (round, slot) feeds match (round + 1,
-- (slot + 1) / 2), the odd slot's winner on 正方 (affirmative), the even slot's on 反方
-- (negative). A first-round match with one team is a bye, decided when the bracket is drawn.
-- A judge casts one ballot per match (revised in place until the match is closed).

CREATE TABLE debates (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    title             TEXT    NOT NULL,
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    unit_path         TEXT    NOT NULL,
    rounds            INTEGER NOT NULL CHECK (rounds BETWEEN 1 AND 5),
    champion_team_id  INTEGER,
    created_at        TEXT    NOT NULL,
    created_by        INTEGER REFERENCES users(id)
);
CREATE INDEX debates_unit_path ON debates (unit_path);

CREATE TABLE debate_teams (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    debate_id  INTEGER NOT NULL REFERENCES debates(id),
    seed       INTEGER NOT NULL,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    name       TEXT    NOT NULL,
    UNIQUE (debate_id, seed),
    UNIQUE (debate_id, unit_id)
);

CREATE TABLE debate_debaters (
    team_id    INTEGER NOT NULL REFERENCES debate_teams(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (team_id, member_id)
);

CREATE TABLE debate_judges (
    debate_id  INTEGER NOT NULL REFERENCES debates(id),
    user_id    INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (debate_id, user_id)
);

CREATE TABLE debate_matches (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    debate_id             INTEGER NOT NULL REFERENCES debates(id),
    round                 INTEGER NOT NULL,
    slot                  INTEGER NOT NULL,
    affirmative_team_id   INTEGER REFERENCES debate_teams(id),
    negative_team_id      INTEGER REFERENCES debate_teams(id),
    motion                TEXT    NOT NULL DEFAULT '',
    starts_at             TEXT,
    place                 TEXT    NOT NULL DEFAULT '',
    session_id            INTEGER REFERENCES training_sessions(id),
    live_url              TEXT    NOT NULL DEFAULT '',
    bye                   BOOLEAN NOT NULL DEFAULT FALSE,
    winner_team_id        INTEGER REFERENCES debate_teams(id),
    best_debater_id       INTEGER REFERENCES members(id),
    closed_at             TEXT,
    UNIQUE (debate_id, round, slot)
);

CREATE TABLE debate_ballots (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    match_id         INTEGER NOT NULL REFERENCES debate_matches(id),
    judge_user_id    INTEGER NOT NULL REFERENCES users(id),
    side             TEXT    NOT NULL CHECK (side IN ('affirmative', 'negative')),
    reason           TEXT    NOT NULL CHECK (reason <> ''),
    best_debater_id  INTEGER NOT NULL REFERENCES members(id),
    cast_at          TEXT    NOT NULL,
    UNIQUE (match_id, judge_user_id)
);
