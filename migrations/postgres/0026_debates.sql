-- Debates (辩论赛, S14, issue 12 item 4). A tournament belongs to the unit of the staff member who
-- set it up (its subtree's staff manage it); its teams are units inside that subtree, seeded in
-- the order typed, each with its debaters (members of the team's unit or below); its judges are
-- accounts. The bracket is single elimination: match (round, slot) feeds match (round + 1,
-- (slot + 1) / 2), the odd slot's winner on 正方 (affirmative), the even slot's on 反方
-- (negative). A first-round match with one team is a bye, decided when the bracket is drawn.
-- A judge casts one ballot per match (revised in place until the match is closed).

CREATE TABLE debates (
    id                BIGSERIAL PRIMARY KEY,
    title             TEXT    NOT NULL,
    unit_id           BIGINT  NOT NULL REFERENCES units(id),
    unit_path         TEXT    NOT NULL,
    rounds            BIGINT  NOT NULL CHECK (rounds BETWEEN 1 AND 5),
    champion_team_id  BIGINT,
    created_at        TIMESTAMPTZ NOT NULL,
    created_by        BIGINT  REFERENCES users(id)
);
CREATE INDEX debates_unit_path ON debates (unit_path);

CREATE TABLE debate_teams (
    id         BIGSERIAL PRIMARY KEY,
    debate_id  BIGINT  NOT NULL REFERENCES debates(id),
    seed       BIGINT  NOT NULL,
    unit_id    BIGINT  NOT NULL REFERENCES units(id),
    name       TEXT    NOT NULL,
    UNIQUE (debate_id, seed),
    UNIQUE (debate_id, unit_id)
);

CREATE TABLE debate_debaters (
    team_id    BIGINT  NOT NULL REFERENCES debate_teams(id),
    member_id  BIGINT  NOT NULL REFERENCES members(id),
    position   BIGINT  NOT NULL,
    PRIMARY KEY (team_id, member_id)
);

CREATE TABLE debate_judges (
    debate_id  BIGINT  NOT NULL REFERENCES debates(id),
    user_id    BIGINT  NOT NULL REFERENCES users(id),
    PRIMARY KEY (debate_id, user_id)
);

CREATE TABLE debate_matches (
    id                    BIGSERIAL PRIMARY KEY,
    debate_id             BIGINT  NOT NULL REFERENCES debates(id),
    round                 BIGINT  NOT NULL,
    slot                  BIGINT  NOT NULL,
    affirmative_team_id   BIGINT  REFERENCES debate_teams(id),
    negative_team_id      BIGINT  REFERENCES debate_teams(id),
    motion                TEXT    NOT NULL DEFAULT '',
    starts_at             TIMESTAMPTZ,
    place                 TEXT    NOT NULL DEFAULT '',
    session_id            BIGINT  REFERENCES training_sessions(id),
    live_url              TEXT    NOT NULL DEFAULT '',
    bye                   BOOLEAN NOT NULL DEFAULT FALSE,
    winner_team_id        BIGINT  REFERENCES debate_teams(id),
    best_debater_id       BIGINT  REFERENCES members(id),
    closed_at             TIMESTAMPTZ,
    UNIQUE (debate_id, round, slot)
);

CREATE TABLE debate_ballots (
    id               BIGSERIAL PRIMARY KEY,
    match_id         BIGINT  NOT NULL REFERENCES debate_matches(id),
    judge_user_id    BIGINT  NOT NULL REFERENCES users(id),
    side             TEXT    NOT NULL CHECK (side IN ('affirmative', 'negative')),
    reason           TEXT    NOT NULL CHECK (reason <> ''),
    best_debater_id  BIGINT  NOT NULL REFERENCES members(id),
    cast_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (match_id, judge_user_id)
);
