-- A door-to-door visit is no longer a training session. Until now each visit created a 'delivery'
-- session at an invented 10:00 with the member's attendance, so it showed on the station calendar
-- and in other members' upcoming sessions, telling the whole branch who needs home study. A visit
-- is now private to the member, the assignee and staff in scope: the visit row itself carries the
-- campaign and member, the topics it delivered live beside it, and triggers add it to the
-- member's progress (`visits` counts visits, so the campaign's rule can say what one counts for).

ALTER TABLE campaigns ADD COLUMN visit_credit TEXT NOT NULL DEFAULT 'complete';
ALTER TABLE member_progress ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;

CREATE TEMP TABLE visit_topics_0008 AS
SELECT v.id AS visit_id, s.topic_id FROM delivery_visits v
JOIN training_sessions s ON s.id = v.session_id WHERE s.topic_id IS NOT NULL;

CREATE TABLE delivery_visits_0008 (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id        INTEGER NOT NULL UNIQUE REFERENCES deliveries(id),
    campaign_id        INTEGER NOT NULL REFERENCES campaigns(id),
    member_id          INTEGER NOT NULL REFERENCES members(id),
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
INSERT INTO delivery_visits_0008 (id, delivery_id, campaign_id, member_id, visited_on, minutes, content,
    books, member_words, confirmed_by_kind, confirmed_by_name, photo, recorded_by, created_at)
SELECT v.id, v.delivery_id, d.campaign_id, d.member_id, v.visited_on, v.minutes, v.content, v.books,
       v.member_words, v.confirmed_by_kind, v.confirmed_by_name, v.photo, v.recorded_by, v.created_at
FROM delivery_visits v JOIN deliveries d ON d.id = v.delivery_id;
DROP TABLE delivery_visits;
ALTER TABLE delivery_visits_0008 RENAME TO delivery_visits;
CREATE INDEX delivery_visits_member ON delivery_visits(campaign_id, member_id);

CREATE TABLE delivery_visit_topics (
    visit_id  INTEGER NOT NULL REFERENCES delivery_visits(id),
    topic_id  INTEGER NOT NULL REFERENCES topics(id),
    PRIMARY KEY (visit_id, topic_id)
) WITHOUT ROWID;
INSERT INTO delivery_visit_topics (visit_id, topic_id) SELECT visit_id, topic_id FROM visit_topics_0008;
DROP TABLE visit_topics_0008;

-- The sessions visits used to become, and what hangs off them. Their attendances already fed the
-- progress rows with the visit's session, minutes and topic, exactly what a visit adds now, so
-- the rows keep their counts and only learn how many of them were visits.
DELETE FROM adjustment_feedback WHERE feedback_id IN (SELECT f.id FROM feedback f
    JOIN training_sessions s ON s.id = f.session_id WHERE s.kind = 'delivery');
DELETE FROM feedback WHERE session_id IN (SELECT id FROM training_sessions WHERE kind = 'delivery');
DELETE FROM online_views WHERE session_id IN (SELECT id FROM training_sessions WHERE kind = 'delivery');
DELETE FROM attendances WHERE session_id IN (SELECT id FROM training_sessions WHERE kind = 'delivery');
DELETE FROM training_sessions WHERE kind = 'delivery';
UPDATE member_progress SET visits = (SELECT COUNT(*) FROM delivery_visits v
    WHERE v.campaign_id = member_progress.campaign_id AND v.member_id = member_progress.member_id);

-- A visit adds to the member's progress as a session with its minutes, and counts as a visit.
CREATE TRIGGER delivery_visits_progress AFTER INSERT ON delivery_visits
BEGIN
    INSERT INTO member_progress (campaign_id, member_id, sessions, minutes, topics, visits)
    VALUES (NEW.campaign_id, NEW.member_id, 1, NEW.minutes, ',', 1)
    ON CONFLICT (campaign_id, member_id) DO UPDATE SET
        sessions = member_progress.sessions + 1,
        minutes = member_progress.minutes + excluded.minutes,
        visits = member_progress.visits + 1;
END;

-- Each topic a visit delivered joins the member's topics (the visit's row is written first).
CREATE TRIGGER delivery_visit_topics_progress AFTER INSERT ON delivery_visit_topics
BEGIN
    UPDATE member_progress SET topics = topics || NEW.topic_id || ','
    WHERE instr(topics, ',' || NEW.topic_id || ',') = 0
      AND (campaign_id, member_id) = (SELECT v.campaign_id, v.member_id FROM delivery_visits v WHERE v.id = NEW.visit_id);
END;
