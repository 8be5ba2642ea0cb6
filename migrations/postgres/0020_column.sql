-- The publicity column (冬训专栏, S9): articles written by station admins and published by the
-- committee (draft → review → published), their uploaded pictures (re-encoded JPEG), and where
-- each article was carried (the syndication log). `categories` holds one category per line, the
-- first being the one the article is listed under; `source_key` names an imported file or feed
-- entry (its guid/permalink or the hash of its text), so importing it again adds nothing.

CREATE TABLE column_articles (
    id           BIGSERIAL PRIMARY KEY,
    title        TEXT    NOT NULL,
    author       TEXT    NOT NULL DEFAULT '',
    categories   TEXT    NOT NULL DEFAULT '',
    summary      TEXT    NOT NULL DEFAULT '',
    body         TEXT    NOT NULL DEFAULT '',
    cover_url    TEXT    NOT NULL DEFAULT '',
    comments     BOOLEAN NOT NULL DEFAULT FALSE,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'review', 'published')),
    dated_at     TIMESTAMPTZ   NOT NULL,
    updated_at   TIMESTAMPTZ   NOT NULL,
    unit_id      BIGINT  REFERENCES units(id),
    created_by   BIGINT  REFERENCES users(id),
    source_key   TEXT    UNIQUE
);

CREATE INDEX column_articles_published ON column_articles (status, dated_at);

CREATE TABLE column_images (
    id          BIGSERIAL PRIMARY KEY,
    jpeg        BYTEA   NOT NULL,
    created_at  TIMESTAMPTZ   NOT NULL,
    created_by  BIGINT  REFERENCES users(id)
);

CREATE TABLE column_syndications (
    id          BIGSERIAL PRIMARY KEY,
    article_id  BIGINT  NOT NULL REFERENCES column_articles(id),
    outlet      TEXT    NOT NULL,
    url         TEXT    NOT NULL DEFAULT '',
    carried_on  DATE   NOT NULL,
    created_at  TIMESTAMPTZ   NOT NULL,
    created_by  BIGINT  REFERENCES users(id)
);

CREATE INDEX column_syndications_article ON column_syndications (article_id);
