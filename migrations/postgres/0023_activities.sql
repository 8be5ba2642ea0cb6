-- 冬训+ volunteer service activities (S6).
--
-- activity_kinds: 春联义写, 走访慰问 … seeded as built in; staff add their own (custom kinds).
-- activities: one activity held by an organising unit on a day, optionally linked to a training
-- session; the people served are COUNTS by category only (no names: the least personal data).
-- activity_follow_ups: a served person's name only where a follow-up visit needs it, with why.
-- activity_photos: photos re-encoded as door-to-door photos are (EXIF stripped).
-- activity_volunteers: who served and for how long. `identity` says who the volunteer is, so one
-- person is on an activity once: 'user:{id}' (anyone with an account, Party member or not) or
-- 'phone:{phone}' (added by staff, no account). Hours are reported (by the volunteer from a phone,
-- or by staff) in minutes and count only once approved: `minutes_approved` is what an admin
-- approved or corrected it to; reports and exports sum approved minutes only.

CREATE TABLE activity_kinds (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    builtin     BOOLEAN NOT NULL DEFAULT FALSE,
    sort_order  BIGINT  NOT NULL DEFAULT 100,
    retired_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
INSERT INTO activity_kinds (name, builtin, sort_order, created_at) VALUES
    ('春联义写', TRUE, 1, '2021-01-01T00:00:00Z'),
    ('走访慰问', TRUE, 2, '2021-01-01T00:00:00Z'),
    ('手工制作', TRUE, 3, '2021-01-01T00:00:00Z'),
    ('寒假红色故事', TRUE, 4, '2021-01-01T00:00:00Z'),
    ('防疫宣传入户', TRUE, 5, '2021-01-01T00:00:00Z'),
    ('农技实境宣讲', TRUE, 6, '2021-01-01T00:00:00Z'),
    ('对标找差交流', TRUE, 7, '2021-01-01T00:00:00Z');

CREATE TABLE activities (
    id                  BIGSERIAL PRIMARY KEY,
    campaign_id         BIGINT  NOT NULL REFERENCES campaigns(id),
    unit_id             BIGINT  NOT NULL REFERENCES units(id),
    kind_id             BIGINT  NOT NULL REFERENCES activity_kinds(id),
    title               TEXT    NOT NULL,
    held_on             DATE    NOT NULL,
    place               TEXT    NOT NULL DEFAULT '',
    session_id          BIGINT  REFERENCES training_sessions(id),
    outcome             TEXT    NOT NULL DEFAULT '',
    served_elderly      BIGINT  NOT NULL DEFAULT 0 CHECK (served_elderly >= 0),
    served_low_income   BIGINT  NOT NULL DEFAULT 0 CHECK (served_low_income >= 0),
    served_disabled     BIGINT  NOT NULL DEFAULT 0 CHECK (served_disabled >= 0),
    served_left_behind  BIGINT  NOT NULL DEFAULT 0 CHECK (served_left_behind >= 0),
    served_children     BIGINT  NOT NULL DEFAULT 0 CHECK (served_children >= 0),
    served_others       BIGINT  NOT NULL DEFAULT 0 CHECK (served_others >= 0),
    created_by          BIGINT  REFERENCES users(id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_unit_day ON activities(unit_id, held_on);
CREATE INDEX activities_campaign_day ON activities(campaign_id, held_on);

CREATE TABLE activity_follow_ups (
    id           BIGSERIAL PRIMARY KEY,
    activity_id  BIGINT  NOT NULL REFERENCES activities(id),
    person_name  TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    created_by   BIGINT  REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX activity_follow_ups_activity ON activity_follow_ups(activity_id);

CREATE TABLE activity_photos (
    id           BIGSERIAL PRIMARY KEY,
    activity_id  BIGINT  NOT NULL REFERENCES activities(id),
    photo        BYTEA   NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX activity_photos_activity ON activity_photos(activity_id);

CREATE TABLE activity_volunteers (
    id                BIGSERIAL PRIMARY KEY,
    activity_id       BIGINT  NOT NULL REFERENCES activities(id),
    identity          TEXT    NOT NULL,
    user_id           BIGINT  REFERENCES users(id),
    member_id         BIGINT  REFERENCES members(id),
    name              TEXT    NOT NULL,
    unit_id           BIGINT  NOT NULL REFERENCES units(id),
    minutes_reported  BIGINT  NOT NULL CHECK (minutes_reported > 0),
    minutes_approved  BIGINT  CHECK (minutes_approved IS NULL OR minutes_approved >= 0),
    status            TEXT    NOT NULL DEFAULT 'reported' CHECK (status IN ('reported', 'approved', 'rejected')),
    reported_by       BIGINT  REFERENCES users(id),
    reported_at       TIMESTAMPTZ NOT NULL,
    reviewed_by       BIGINT  REFERENCES users(id),
    reviewed_at       TIMESTAMPTZ,
    review_note       TEXT    NOT NULL DEFAULT '',
    UNIQUE (activity_id, identity)
);
CREATE INDEX activity_volunteers_status ON activity_volunteers(status, activity_id);
CREATE INDEX activity_volunteers_user ON activity_volunteers(user_id);
