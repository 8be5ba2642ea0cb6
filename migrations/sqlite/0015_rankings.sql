-- Rankings (积分排名): what members may see, one row set by the committee. By default members
-- see unit rankings and their own points and rank, not other members' names.

CREATE TABLE ranking_settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    members_see_names   BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at          TEXT,
    updated_by          INTEGER REFERENCES users(id)
);
INSERT INTO ranking_settings (id, members_see_names) VALUES (1, FALSE);
