-- Foundation: organisation tree, station brands, members, accounts, sessions, login attempts, audit log.
-- Timestamps are written by the application as UTC (never SQL defaults) so both backends agree.

CREATE TABLE units (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id   INTEGER REFERENCES units(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('subdistrict', 'hub', 'station', 'branch')),
    name        TEXT    NOT NULL,
    -- Materialised path of ids, e.g. '/1/3/17/': a subtree is `path LIKE '/1/3/%'`.
    path        TEXT    NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0,
    retired_at  TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX units_path ON units(path);
CREATE UNIQUE INDEX units_sibling_name ON units(COALESCE(parent_id, 0), name);

CREATE TABLE station_profiles (
    unit_id         INTEGER PRIMARY KEY REFERENCES units(id),
    service_brand   TEXT NOT NULL DEFAULT '',
    training_brand  TEXT NOT NULL DEFAULT '',
    slogan          TEXT NOT NULL DEFAULT '',
    story           TEXT NOT NULL DEFAULT '',
    updated_at      TEXT NOT NULL
);

CREATE TABLE members (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    name             TEXT    NOT NULL,
    name_pinyin      TEXT    NOT NULL,
    name_initials    TEXT    NOT NULL,
    gender           TEXT,
    birth_date       TEXT,
    phone            TEXT,
    id_card          TEXT UNIQUE,
    joined_party_on  TEXT,
    categories       INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL DEFAULT 'active',
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
CREATE INDEX members_unit ON members(unit_id);
CREATE INDEX members_pinyin ON members(name_pinyin);
CREATE INDEX members_initials ON members(name_initials);
CREATE INDEX members_phone ON members(phone);

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    phone                 TEXT    NOT NULL UNIQUE,
    name                  TEXT    NOT NULL,
    password_hash         TEXT    NOT NULL,
    role                  TEXT    NOT NULL CHECK (role IN ('committee_admin', 'station_admin', 'lecturer', 'volunteer', 'member')),
    unit_id               INTEGER NOT NULL REFERENCES units(id),
    member_id             INTEGER REFERENCES members(id),
    must_change_password  BOOLEAN NOT NULL DEFAULT TRUE,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    created_at            TEXT    NOT NULL
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash    TEXT    NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    csrf_token    TEXT    NOT NULL,
    ip            TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_attempts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    phone      TEXT    NOT NULL,
    ip         TEXT    NOT NULL,
    succeeded  BOOLEAN NOT NULL,
    at         TEXT    NOT NULL
);
CREATE INDEX login_attempts_phone ON login_attempts(phone, at);
CREATE INDEX login_attempts_ip ON login_attempts(ip, at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT    NOT NULL,
    user_id   INTEGER,
    actor     TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT    NOT NULL,
    detail    TEXT    NOT NULL,
    succeeded BOOLEAN NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);

-- The audit log is append-only: the database itself refuses edits and deletions.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
