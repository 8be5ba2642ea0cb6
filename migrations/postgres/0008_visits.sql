-- A door-to-door visit is no longer a training session. Until now each visit created a 'delivery'
-- session at an invented 10:00 with the member's attendance, so it showed on the station calendar
-- and in other members' upcoming sessions, telling the whole branch who needs home study. A visit
-- is now private to the member, the assignee and staff in scope: the visit row itself carries the
-- campaign and member, the topics it delivered live beside it, and triggers add it to the
-- member's progress (`visits` counts visits, so the campaign's rule can say what one counts for).

ALTER TABLE campaigns ADD COLUMN visit_credit TEXT NOT NULL DEFAULT 'complete';
ALTER TABLE member_progress ADD COLUMN visits BIGINT NOT NULL DEFAULT 0;

ALTER TABLE delivery_visits ADD COLUMN campaign_id BIGINT REFERENCES campaigns(id);
ALTER TABLE delivery_visits ADD COLUMN member_id BIGINT REFERENCES members(id);
UPDATE delivery_visits v SET campaign_id = d.campaign_id, member_id = d.member_id
FROM deliveries d WHERE d.id = v.delivery_id;
ALTER TABLE delivery_visits ALTER COLUMN campaign_id SET NOT NULL;
ALTER TABLE delivery_visits ALTER COLUMN member_id SET NOT NULL;
CREATE INDEX delivery_visits_member ON delivery_visits(campaign_id, member_id);

CREATE TABLE delivery_visit_topics (
    visit_id  BIGINT NOT NULL REFERENCES delivery_visits(id),
    topic_id  BIGINT NOT NULL REFERENCES topics(id),
    PRIMARY KEY (visit_id, topic_id)
);
INSERT INTO delivery_visit_topics (visit_id, topic_id)
SELECT v.id, s.topic_id FROM delivery_visits v
JOIN training_sessions s ON s.id = v.session_id WHERE s.topic_id IS NOT NULL;
ALTER TABLE delivery_visits DROP COLUMN session_id;

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
CREATE FUNCTION delivery_visits_progress() RETURNS trigger AS $$
BEGIN
    INSERT INTO member_progress (campaign_id, member_id, sessions, minutes, topics, visits)
    VALUES (NEW.campaign_id, NEW.member_id, 1, NEW.minutes, ',', 1)
    ON CONFLICT (campaign_id, member_id) DO UPDATE SET
        sessions = member_progress.sessions + 1,
        minutes = member_progress.minutes + excluded.minutes,
        visits = member_progress.visits + 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER delivery_visits_progress AFTER INSERT ON delivery_visits
FOR EACH ROW EXECUTE FUNCTION delivery_visits_progress();

-- Each topic a visit delivered joins the member's topics (the visit's row is written first).
CREATE FUNCTION delivery_visit_topics_progress() RETURNS trigger AS $$
BEGIN
    UPDATE member_progress p SET topics = p.topics || NEW.topic_id || ','
    FROM delivery_visits v
    WHERE v.id = NEW.visit_id AND p.campaign_id = v.campaign_id AND p.member_id = v.member_id
      AND strpos(p.topics, ',' || NEW.topic_id || ',') = 0;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER delivery_visit_topics_progress AFTER INSERT ON delivery_visit_topics
FOR EACH ROW EXECUTE FUNCTION delivery_visit_topics_progress();
