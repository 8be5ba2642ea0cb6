-- Monthly awards (每月评优). The committee sets criteria per campaign; after a month ends it opens
-- the month (a round): the system proposes awardees per unit, the committee adds and removes,
-- then publishes. A published round is fixed: the triggers below refuse any change to it or its
-- awardees (a correction is a compensating points entry, audited, never an edit).

CREATE TABLE award_criteria (
    campaign_id          INTEGER PRIMARY KEY REFERENCES campaigns(id),
    top_n                INTEGER NOT NULL,
    min_sessions         INTEGER NOT NULL,
    min_volunteer_hours  INTEGER NOT NULL,
    issuer               TEXT    NOT NULL DEFAULT '',
    updated_at           TEXT    NOT NULL,
    updated_by           INTEGER REFERENCES users(id)
);

CREATE TABLE award_rounds (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id          INTEGER NOT NULL REFERENCES campaigns(id),
    month                TEXT    NOT NULL,
    status               TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- The criteria as they were when the month was opened, and the name printed on certificates.
    top_n                INTEGER NOT NULL,
    min_sessions         INTEGER NOT NULL,
    min_volunteer_hours  INTEGER NOT NULL,
    issuer               TEXT    NOT NULL,
    opened_at            TEXT    NOT NULL,
    opened_by            INTEGER REFERENCES users(id),
    published_at         TEXT,
    published_by         INTEGER REFERENCES users(id),
    UNIQUE (campaign_id, month)
);

CREATE TABLE awardees (
    round_id   INTEGER NOT NULL REFERENCES award_rounds(id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    -- The unit the award is for (the member's station), kept as it was.
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    points     INTEGER NOT NULL,
    sessions   INTEGER NOT NULL,
    reason     TEXT    NOT NULL,
    proposed   BOOLEAN NOT NULL,
    tied       BOOLEAN NOT NULL DEFAULT FALSE,
    added_by   INTEGER REFERENCES users(id),
    PRIMARY KEY (round_id, member_id)
);
CREATE INDEX awardees_member ON awardees(member_id);

CREATE TRIGGER award_rounds_fixed BEFORE UPDATE ON award_rounds WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published award round is fixed'); END;
CREATE TRIGGER award_rounds_no_delete BEFORE DELETE ON award_rounds WHEN OLD.status = 'published'
BEGIN SELECT RAISE(ABORT, 'a published award round is fixed'); END;
CREATE TRIGGER awardees_fixed_insert BEFORE INSERT ON awardees
WHEN (SELECT status FROM award_rounds WHERE id = NEW.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published award round is fixed'); END;
CREATE TRIGGER awardees_fixed_update BEFORE UPDATE ON awardees
WHEN (SELECT status FROM award_rounds WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published award round is fixed'); END;
CREATE TRIGGER awardees_fixed_delete BEFORE DELETE ON awardees
WHEN (SELECT status FROM award_rounds WHERE id = OLD.round_id) = 'published'
BEGIN SELECT RAISE(ABORT, 'a published award round is fixed'); END;
