-- Foundation: organisation tree, station brands, members, accounts, sessions, login attempts, audit log.
-- Same version number and shape as migrations/sqlite/0001; only the dialect differs.

CREATE TABLE units (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT REFERENCES units(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('subdistrict', 'hub', 'station', 'branch')),
    name        TEXT    NOT NULL,
    -- Materialised path of ids, e.g. '/1/3/17/': a subtree is `path LIKE '/1/3/%'`.
    path        TEXT    NOT NULL DEFAULT '',
    sort_order  BIGINT  NOT NULL DEFAULT 0,
    retired_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX units_path ON units(path text_pattern_ops);
CREATE UNIQUE INDEX units_sibling_name ON units(COALESCE(parent_id, 0), name);

CREATE TABLE station_profiles (
    unit_id         BIGINT PRIMARY KEY REFERENCES units(id),
    service_brand   TEXT NOT NULL DEFAULT '',
    training_brand  TEXT NOT NULL DEFAULT '',
    slogan          TEXT NOT NULL DEFAULT '',
    story           TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE members (
    id               BIGSERIAL PRIMARY KEY,
    unit_id          BIGINT  NOT NULL REFERENCES units(id),
    name             TEXT    NOT NULL,
    name_pinyin      TEXT    NOT NULL,
    name_initials    TEXT    NOT NULL,
    gender           TEXT,
    birth_date       DATE,
    phone            TEXT,
    id_card          TEXT UNIQUE,
    joined_party_on  DATE,
    categories       BIGINT  NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL DEFAULT 'active',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX members_unit ON members(unit_id);
-- Default operator class: searches are prefix RANGES (x >= 'zs' AND x < 'zt'), not LIKE.
CREATE INDEX members_pinyin ON members(name_pinyin);
CREATE INDEX members_initials ON members(name_initials);
CREATE INDEX members_phone ON members(phone);

CREATE TABLE users (
    id                    BIGSERIAL PRIMARY KEY,
    phone                 TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    role                  TEXT    NOT NULL CHECK (role IN ('committee_admin', 'station_admin', 'lecturer', 'volunteer', 'member')),
    unit_id               BIGINT  NOT NULL REFERENCES units(id),
    member_id             BIGINT  REFERENCES members(id),
    must_change_password  BOOLEAN NOT NULL DEFAULT TRUE,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    created_at            TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id            BIGSERIAL PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE,
    user_id       BIGINT  NOT NULL REFERENCES users(id),
    csrf_token    TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id         BIGSERIAL PRIMARY KEY,
    phone      TEXT    NOT NULL,
    ip         TEXT    NOT NULL,
    succeeded  BOOLEAN NOT NULL,
    at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_phone ON login_attempts(phone, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE audit_log (
    id        BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    user_id   BIGINT,
    actor     TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

-- The audit log is append-only: the database itself refuses edits and deletions.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
