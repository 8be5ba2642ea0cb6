-- Same version and shape as migrations/sqlite/0002; only the dialect differs.
-- Training delivery: campaigns, topics, lecturers, venues, bookings, sessions, attendance,
-- door-to-door study, feedback and programme adjustments.

CREATE TABLE campaigns (
    id                   BIGSERIAL PRIMARY KEY,
    name                 TEXT    NOT NULL UNIQUE,
    starts_on            DATE    NOT NULL,
    ends_on              DATE    NOT NULL,
    -- Audience: members of these categories (bits, 0 = every category) in the audience units.
    audience_categories  BIGINT NOT NULL DEFAULT 0,
    -- Completion: at least this many sessions OR this many minutes (0 = that route unused),
    -- and every compulsory topic.
    required_sessions    BIGINT NOT NULL DEFAULT 0,
    required_minutes     BIGINT NOT NULL DEFAULT 0,
    is_current           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMPTZ    NOT NULL
);

CREATE TABLE campaign_units (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (campaign_id, unit_id)
);

CREATE TABLE campaign_exclusions (
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    member_id    BIGINT NOT NULL REFERENCES members(id),
    reason       TEXT    NOT NULL,
    created_at   TIMESTAMPTZ    NOT NULL,
    PRIMARY KEY (campaign_id, member_id)
);

CREATE TABLE topics (
    id           BIGSERIAL PRIMARY KEY,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    name         TEXT    NOT NULL,
    compulsory   BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (campaign_id, name)
);

CREATE TABLE lecturers (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    phone         TEXT,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    user_id       BIGINT REFERENCES users(id),
    topics        TEXT    NOT NULL DEFAULT '',
    availability  TEXT    NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ    NOT NULL
);

CREATE TABLE venues (
    id          BIGSERIAL PRIMARY KEY,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    name        TEXT    NOT NULL,
    capacity    BIGINT NOT NULL,
    retired_at  TIMESTAMPTZ,
    UNIQUE (unit_id, name)
);

CREATE TABLE booking_batches (
    id           BIGSERIAL PRIMARY KEY,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    unit_id      BIGINT NOT NULL REFERENCES units(id),
    lecturer_id  BIGINT NOT NULL REFERENCES lecturers(id),
    topic_id     BIGINT REFERENCES topics(id),
    note         TEXT    NOT NULL DEFAULT '',
    created_by   BIGINT REFERENCES users(id),
    created_at   TIMESTAMPTZ    NOT NULL
);

CREATE TABLE training_sessions (
    id                     BIGSERIAL PRIMARY KEY,
    campaign_id            BIGINT NOT NULL REFERENCES campaigns(id),
    batch_id               BIGINT REFERENCES booking_batches(id),
    kind                   TEXT    NOT NULL,
    title                  TEXT    NOT NULL,
    topic_id               BIGINT REFERENCES topics(id),
    lecturer_id            BIGINT REFERENCES lecturers(id),
    -- The hosting unit (whose staff run it) and the unit whose subtree is its audience.
    unit_id                BIGINT NOT NULL REFERENCES units(id),
    audience_unit_id       BIGINT NOT NULL REFERENCES units(id),
    venue_id               BIGINT REFERENCES venues(id),
    place                  TEXT    NOT NULL DEFAULT '',
    starts_at              TIMESTAMPTZ    NOT NULL,
    ends_at                TIMESTAMPTZ    NOT NULL,
    expected_attendees     BIGINT NOT NULL DEFAULT 0,
    checkin_opens_minutes  BIGINT NOT NULL DEFAULT 30,
    online_url             TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL DEFAULT 'scheduled',
    -- Secret for the rotating check-in QR codes and six-digit codes.
    secret                 TEXT    NOT NULL,
    created_by             BIGINT REFERENCES users(id),
    created_at             TIMESTAMPTZ    NOT NULL
);
CREATE INDEX training_sessions_campaign ON training_sessions(campaign_id, starts_at);
CREATE INDEX training_sessions_lecturer ON training_sessions(lecturer_id, starts_at);
CREATE INDEX training_sessions_venue ON training_sessions(venue_id, starts_at);

CREATE TABLE attendances (
    id             BIGSERIAL PRIMARY KEY,
    session_id     BIGINT NOT NULL REFERENCES training_sessions(id),
    member_id      BIGINT NOT NULL REFERENCES members(id),
    channel        TEXT    NOT NULL,
    minutes        BIGINT NOT NULL,
    late           BOOLEAN NOT NULL DEFAULT FALSE,
    checked_in_at  TIMESTAMPTZ    NOT NULL,
    recorded_by    BIGINT REFERENCES users(id),
    -- Exactly once: a member attends a session once, however many scans or retries.
    UNIQUE (session_id, member_id)
);
CREATE INDEX attendances_member ON attendances(member_id);

CREATE TABLE delivery_materials (
    id      BIGSERIAL PRIMARY KEY,
    name    TEXT    NOT NULL UNIQUE,
    kind    TEXT    NOT NULL,
    active  BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE deliveries (
    id                BIGSERIAL PRIMARY KEY,
    campaign_id       BIGINT NOT NULL REFERENCES campaigns(id),
    member_id         BIGINT NOT NULL REFERENCES members(id),
    assignee_user_id  BIGINT NOT NULL REFERENCES users(id),
    due_on            DATE    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'open',
    reason            TEXT    NOT NULL DEFAULT '',
    materials         TEXT    NOT NULL DEFAULT '',
    created_by        BIGINT REFERENCES users(id),
    created_at        TIMESTAMPTZ    NOT NULL
);
CREATE INDEX deliveries_campaign ON deliveries(campaign_id, status);
CREATE UNIQUE INDEX deliveries_one_open ON deliveries(campaign_id, member_id) WHERE status = 'open';

CREATE TABLE delivery_visits (
    id                 BIGSERIAL PRIMARY KEY,
    delivery_id        BIGINT NOT NULL UNIQUE REFERENCES deliveries(id),
    session_id         BIGINT NOT NULL REFERENCES training_sessions(id),
    visited_on         DATE    NOT NULL,
    minutes            BIGINT NOT NULL,
    content            TEXT    NOT NULL,
    books              TEXT    NOT NULL DEFAULT '',
    member_words       TEXT    NOT NULL DEFAULT '',
    confirmed_by_kind  TEXT    NOT NULL,
    confirmed_by_name  TEXT    NOT NULL,
    photo              BYTEA,
    recorded_by        BIGINT REFERENCES users(id),
    created_at         TIMESTAMPTZ    NOT NULL
);

CREATE TABLE feedback (
    id          BIGSERIAL PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES training_sessions(id),
    member_id   BIGINT NOT NULL REFERENCES members(id),
    rating      BIGINT NOT NULL CHECK (rating BETWEEN 1 AND 5),
    helped      TEXT    NOT NULL DEFAULT '',
    wants_tags  TEXT    NOT NULL DEFAULT '',
    wants_text  TEXT    NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ    NOT NULL,
    UNIQUE (session_id, member_id)
);

CREATE TABLE adjustments (
    id           BIGSERIAL PRIMARY KEY,
    campaign_id  BIGINT NOT NULL REFERENCES campaigns(id),
    description  TEXT    NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   TIMESTAMPTZ    NOT NULL
);

CREATE TABLE adjustment_feedback (
    adjustment_id  BIGINT NOT NULL REFERENCES adjustments(id),
    feedback_id    BIGINT NOT NULL REFERENCES feedback(id),
    PRIMARY KEY (adjustment_id, feedback_id)
);
