-- Each member's running progress in each campaign, kept by a trigger in the same transaction as
-- every attendance insert, so coverage reads one row per member instead of folding millions of
-- attendances. `topics` holds the distinct topic ids attended as ",3,7," (leading and trailing
-- commas, so membership is one LIKE '%,7,%' on both backends; "," when none).

CREATE TABLE member_progress (
    campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
    member_id    INTEGER NOT NULL REFERENCES members(id),
    sessions     INTEGER NOT NULL DEFAULT 0,
    minutes      INTEGER NOT NULL DEFAULT 0,
    topics       TEXT    NOT NULL DEFAULT ',',
    PRIMARY KEY (campaign_id, member_id)
) WITHOUT ROWID;

INSERT INTO member_progress (campaign_id, member_id, sessions, minutes, topics)
SELECT s.campaign_id, a.member_id, COUNT(*), SUM(a.minutes),
       COALESCE(',' || group_concat(DISTINCT s.topic_id) || ',', ',')
FROM attendances a JOIN training_sessions s ON s.id = a.session_id
GROUP BY s.campaign_id, a.member_id;

-- Attendances are never updated or deleted (exactly once, kept for the record), so inserts are
-- the only change progress has to follow.
CREATE TRIGGER attendances_progress AFTER INSERT ON attendances
BEGIN
    INSERT INTO member_progress (campaign_id, member_id, sessions, minutes, topics)
    SELECT s.campaign_id, NEW.member_id, 1, NEW.minutes, COALESCE(',' || s.topic_id || ',', ',')
    FROM training_sessions s WHERE s.id = NEW.session_id
    ON CONFLICT (campaign_id, member_id) DO UPDATE SET
        sessions = member_progress.sessions + 1,
        minutes = member_progress.minutes + excluded.minutes,
        topics = CASE WHEN instr(member_progress.topics, excluded.topics) > 0 THEN member_progress.topics
                      ELSE member_progress.topics || substr(excluded.topics, 2) END;
END;
