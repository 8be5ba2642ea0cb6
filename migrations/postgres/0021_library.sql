-- The study library (S8) and the cloud classroom's series (S13).
--
-- library_items: articles (sanitised HTML in `body`) and links, with a category and tags.
-- library_readings: one member's reading of one article on one Shanghai day, summed from the
-- page's heartbeats (`seconds`, each beat crediting the time since the previous one, capped);
-- `counted` once the minimum time was reached together with the end of the article.
-- library_lists: curated lists (本周学习) pushed to a unit's members, due on a day.
-- class_series / class_episodes: recordings in order, stored under the data directory by a
-- random name; episode_views: a member's played stretches, as online_views (migration 0004).

CREATE TABLE library_items (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('article', 'link')),
    title        TEXT    NOT NULL,
    category     TEXT    NOT NULL DEFAULT '',
    tags         TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    url          TEXT    NOT NULL DEFAULT '',
    min_seconds  BIGINT  NOT NULL DEFAULT 60,
    created_by   BIGINT  REFERENCES users(id),
    created_at   TIMESTAMPTZ   NOT NULL
);

CREATE TABLE library_readings (
    item_id      BIGINT  NOT NULL REFERENCES library_items(id),
    member_id    BIGINT  NOT NULL REFERENCES members(id),
    day          DATE   NOT NULL,
    seconds      BIGINT  NOT NULL DEFAULT 0,
    reached_end  BOOLEAN NOT NULL DEFAULT FALSE,
    counted      BOOLEAN NOT NULL DEFAULT FALSE,
    last_beat_at TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (item_id, member_id, day)
);

CREATE TABLE library_lists (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT    NOT NULL,
    unit_id      BIGINT  NOT NULL REFERENCES units(id),
    due_on       DATE   NOT NULL,
    created_by   BIGINT  REFERENCES users(id),
    created_at   TIMESTAMPTZ   NOT NULL
);

CREATE TABLE library_list_items (
    list_id      BIGINT  NOT NULL REFERENCES library_lists(id),
    item_id      BIGINT  NOT NULL REFERENCES library_items(id),
    position     BIGINT  NOT NULL,
    PRIMARY KEY (list_id, item_id)
);

CREATE TABLE class_series (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT    NOT NULL UNIQUE,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ   NOT NULL
);

CREATE TABLE class_episodes (
    id           BIGSERIAL PRIMARY KEY,
    series_id    BIGINT  NOT NULL REFERENCES class_series(id),
    position     BIGINT  NOT NULL,
    title        TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    mime         TEXT    NOT NULL,
    size_bytes   BIGINT  NOT NULL,
    poster_name  TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ   NOT NULL,
    UNIQUE (series_id, position)
);

CREATE TABLE episode_views (
    episode_id       BIGINT  NOT NULL REFERENCES class_episodes(id),
    member_id        BIGINT  NOT NULL REFERENCES members(id),
    watched          TEXT    NOT NULL DEFAULT '',
    watched_seconds  BIGINT  NOT NULL DEFAULT 0,
    duration_seconds BIGINT  NOT NULL DEFAULT 0,
    updated_at       TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (episode_id, member_id)
);
