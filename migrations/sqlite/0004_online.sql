-- Online study: which parts of a recorded session each member has actually played. A recording
-- counts for coverage (an attendance on channel 'recording') once 90 % of it has been played, in
-- one sitting or several. `watched` marks the video's 10-second stretches played ('1') or not
-- ('0'); `watched_seconds` is its count × 10 (capped at the length). What a report may add is
-- bounded by the time since the previous one (`updated_at`; at most twice: 2× playback).

CREATE TABLE online_views (
    session_id       INTEGER NOT NULL REFERENCES training_sessions(id),
    member_id        INTEGER NOT NULL REFERENCES members(id),
    opened_at        TEXT    NOT NULL,
    watched          TEXT    NOT NULL DEFAULT '',
    watched_seconds  INTEGER NOT NULL DEFAULT 0,
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    updated_at       TEXT    NOT NULL,
    PRIMARY KEY (session_id, member_id)
);
