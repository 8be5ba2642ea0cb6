-- Training delivery: campaigns, topics, lecturers, venues, bookings, sessions, attendance,
-- door-to-door study, feedback and programme adjustments.

CREATE TABLE campaigns (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT    NOT NULL UNIQUE,
    starts_on            TEXT    NOT NULL,
    ends_on              TEXT    NOT NULL,
    -- Audience: members of these categories (bits, 0 = every category) in the audience units.
    audience_categories  INTEGER NOT NULL DEFAULT 0,
    -- Completion: at least this many sessions OR this many minutes (0 = that route unused),
    -- and every compulsory topic.
    required_sessions    INTEGER NOT NULL DEFAULT 0,
    required_minutes     INTEGER NOT NULL DEFAULT 0,
    is_current           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TEXT    NOT NULL
);

CREATE TABLE campaign_units (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (campaign_id, unit_id)
);

CREATE TABLE campaign_exclusions (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    member_id    INTEGER NOT NULL REFERENCES members(id),
    reason       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    PRIMARY KEY (campaign_id, member_id)
);

CREATE TABLE topics (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    name         TEXT    NOT NULL,
    compulsory   BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (campaign_id, name)
);

CREATE TABLE lecturers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    phone         TEXT,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    user_id       INTEGER REFERENCES users(id),
    topics        TEXT    NOT NULL DEFAULT '',
    availability  TEXT    NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TEXT    NOT NULL
);

CREATE TABLE venues (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    name        TEXT    NOT NULL,
    capacity    INTEGER NOT NULL,
    retired_at  TEXT,
    UNIQUE (unit_id, name)
);

CREATE TABLE booking_batches (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    unit_id      INTEGER NOT NULL REFERENCES units(id),
    lecturer_id  INTEGER NOT NULL REFERENCES lecturers(id),
    topic_id     INTEGER REFERENCES topics(id),
    note         TEXT    NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT    NOT NULL
);

CREATE TABLE training_sessions (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id            INTEGER NOT NULL REFERENCES campaigns(id),
    batch_id               INTEGER REFERENCES booking_batches(id),
    kind                   TEXT    NOT NULL,
    title                  TEXT    NOT NULL,
    topic_id               INTEGER REFERENCES topics(id),
    lecturer_id            INTEGER REFERENCES lecturers(id),
    -- The hosting unit (whose staff run it) and the unit whose subtree is its audience.
    unit_id                INTEGER NOT NULL REFERENCES units(id),
    audience_unit_id       INTEGER NOT NULL REFERENCES units(id),
    venue_id               INTEGER REFERENCES venues(id),
    place                  TEXT    NOT NULL DEFAULT '',
    starts_at              TEXT    NOT NULL,
    ends_at                TEXT    NOT NULL,
    expected_attendees     INTEGER NOT NULL DEFAULT 0,
    checkin_opens_minutes  INTEGER NOT NULL DEFAULT 30,
    online_url             TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL DEFAULT 'scheduled',
    -- Secret for the rotating check-in QR codes and six-digit codes.
    secret                 TEXT    NOT NULL,
    created_by             INTEGER REFERENCES users(id),
    created_at             TEXT    NOT NULL
);
CREATE INDEX training_sessions_campaign ON training_sessions(campaign_id, starts_at);
CREATE INDEX training_sessions_lecturer ON training_sessions(lecturer_id, starts_at);
CREATE INDEX training_sessions_venue ON training_sessions(venue_id, starts_at);

CREATE TABLE attendances (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id     INTEGER NOT NULL REFERENCES training_sessions(id),
    member_id      INTEGER NOT NULL REFERENCES members(id),
    channel        TEXT    NOT NULL,
    minutes        INTEGER NOT NULL,
    late           BOOLEAN NOT NULL DEFAULT FALSE,
    checked_in_at  TEXT    NOT NULL,
    recorded_by    INTEGER REFERENCES users(id),
    -- Exactly once: a member attends a session once, however many scans or retries.
    UNIQUE (session_id, member_id)
);
CREATE INDEX attendances_member ON attendances(member_id);

CREATE TABLE delivery_materials (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    name    TEXT    NOT NULL UNIQUE,
    kind    TEXT    NOT NULL,
    active  BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE deliveries (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id       INTEGER NOT NULL REFERENCES campaigns(id),
    member_id         INTEGER NOT NULL REFERENCES members(id),
    assignee_user_id  INTEGER NOT NULL REFERENCES users(id),
    due_on            TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'open',
    reason            TEXT    NOT NULL DEFAULT '',
    materials         TEXT    NOT NULL DEFAULT '',
    created_by        INTEGER REFERENCES users(id),
    created_at        TEXT    NOT NULL
);
CREATE INDEX deliveries_campaign ON deliveries(campaign_id, status);
CREATE UNIQUE INDEX deliveries_one_open ON deliveries(campaign_id, member_id) WHERE status = 'open';

CREATE TABLE delivery_visits (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id        INTEGER NOT NULL UNIQUE REFERENCES deliveries(id),
    session_id         INTEGER NOT NULL REFERENCES training_sessions(id),
    visited_on         TEXT    NOT NULL,
    minutes            INTEGER NOT NULL,
    content            TEXT    NOT NULL,
    books              TEXT    NOT NULL DEFAULT '',
    member_words       TEXT    NOT NULL DEFAULT '',
    confirmed_by_kind  TEXT    NOT NULL,
    confirmed_by_name  TEXT    NOT NULL,
    photo              BLOB,
    recorded_by        INTEGER REFERENCES users(id),
    created_at         TEXT    NOT NULL
);

CREATE TABLE feedback (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  INTEGER NOT NULL REFERENCES training_sessions(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    helped      TEXT    NOT NULL DEFAULT '',
    wants_tags  TEXT    NOT NULL DEFAULT '',
    wants_text  TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    UNIQUE (session_id, member_id)
);

CREATE TABLE adjustments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    description  TEXT    NOT NULL,
    created_by   INTEGER REFERENCES users(id),
    created_at   TEXT    NOT NULL
);

CREATE TABLE adjustment_feedback (
    adjustment_id  INTEGER NOT NULL REFERENCES adjustments(id),
    feedback_id    INTEGER NOT NULL REFERENCES feedback(id),
    PRIMARY KEY (adjustment_id, feedback_id)
);
