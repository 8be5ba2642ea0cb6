-- Study points (积分): the rules table the committee edits, and the append-only ledger every
-- earning path writes through points::award. A rule change is a new row with a later
-- `effective_from`, so entries already written keep the points they were given. The ledger
-- refuses UPDATE and DELETE (as the audit log does); a correction is a compensating entry.
-- point_daily and point_items are counters kept in the same transaction as each entry: the row
-- a writer upserts first serializes awards for one member, kind and day, and makes cap checks O(1).

CREATE TABLE point_rules (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    kind               TEXT    NOT NULL,
    points             INTEGER NOT NULL,
    daily_cap          INTEGER,
    per_item_cap       INTEGER,
    minutes_per_point  INTEGER,
    windows            TEXT    NOT NULL DEFAULT '',
    window_multiplier  INTEGER NOT NULL DEFAULT 1,
    effective_from     TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    created_by         INTEGER REFERENCES users(id),
    UNIQUE (kind, effective_from)
);

CREATE TABLE point_entries (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id          INTEGER NOT NULL REFERENCES members(id),
    kind               TEXT    NOT NULL,
    points             INTEGER NOT NULL,
    item_key           TEXT    NOT NULL,
    idempotency_key    TEXT    NOT NULL UNIQUE,
    earned_on          TEXT    NOT NULL,
    at                 TEXT    NOT NULL,
    reason             TEXT    NOT NULL DEFAULT '',
    corrects_entry_id  INTEGER REFERENCES point_entries(id),
    recorded_by        INTEGER REFERENCES users(id),
    campaign_id        INTEGER REFERENCES campaigns(id)
);
CREATE INDEX point_entries_member ON point_entries(member_id, earned_on);
CREATE INDEX point_entries_day ON point_entries(earned_on);

CREATE TRIGGER point_entries_no_update BEFORE UPDATE ON point_entries
BEGIN SELECT RAISE(ABORT, 'point_entries is append-only'); END;
CREATE TRIGGER point_entries_no_delete BEFORE DELETE ON point_entries
BEGIN SELECT RAISE(ABORT, 'point_entries is append-only'); END;

CREATE TABLE point_daily (
    member_id  INTEGER NOT NULL REFERENCES members(id),
    kind       TEXT    NOT NULL,
    earned_on  TEXT    NOT NULL,
    total      INTEGER NOT NULL,
    PRIMARY KEY (member_id, kind, earned_on)
) WITHOUT ROWID;

CREATE TABLE point_items (
    member_id  INTEGER NOT NULL REFERENCES members(id),
    kind       TEXT    NOT NULL,
    item_key   TEXT    NOT NULL,
    total      INTEGER NOT NULL,
    PRIMARY KEY (member_id, kind, item_key)
) WITHOUT ROWID;

-- Defaults modelled on 学习强国's published rules; time windows (活跃时段) are off.
INSERT INTO point_rules (kind, points, daily_cap, per_item_cap, minutes_per_point, effective_from, created_at) VALUES
    ('attendance',     5, NULL, 5,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('field_lecture',  5, NULL, 5,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('online_study',   5, NULL, 5,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('visit',          5, NULL, 5,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('feedback',       1, NULL, 1,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('reading',        1, 6,    1,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('video',          1, 6,    1,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('quiz',           1, 5,    5,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('volunteer',      2, 8,    NULL, 60,   '2000-01-01', '2026-11-29T00:00:00Z'),
    ('contest_first',  10, NULL, 10,  NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('contest_second', 6, NULL, 6,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('contest_third',  3, NULL, 3,    NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('monthly_award',  20, NULL, 20,  NULL, '2000-01-01', '2026-11-29T00:00:00Z'),
    ('offline',        1, 10,   NULL, NULL, '2000-01-01', '2026-11-29T00:00:00Z');
