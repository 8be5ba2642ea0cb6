-- Monthly awards (每月评优). The committee sets criteria per campaign; after a month ends it opens
-- the month (a round): the system proposes awardees per unit, the committee adds and removes,
-- then publishes. A published round is fixed: the triggers below refuse any change to it or its
-- awardees (a correction is a compensating points entry, audited, never an edit).

CREATE TABLE award_criteria (
    campaign_id          BIGINT  PRIMARY KEY REFERENCES campaigns(id),
    top_n                BIGINT  NOT NULL,
    min_sessions         BIGINT  NOT NULL,
    min_volunteer_hours  BIGINT  NOT NULL,
    issuer               TEXT    NOT NULL DEFAULT '',
    updated_at           TIMESTAMPTZ NOT NULL,
    updated_by           BIGINT REFERENCES users(id)
);

CREATE TABLE award_rounds (
    id                   BIGSERIAL PRIMARY KEY,
    campaign_id          BIGINT  NOT NULL REFERENCES campaigns(id),
    month                TEXT    NOT NULL,
    status               TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- The criteria as they were when the month was opened, and the name printed on certificates.
    top_n                BIGINT  NOT NULL,
    min_sessions         BIGINT  NOT NULL,
    min_volunteer_hours  BIGINT  NOT NULL,
    issuer               TEXT    NOT NULL,
    opened_at            TIMESTAMPTZ NOT NULL,
    opened_by            BIGINT REFERENCES users(id),
    published_at         TIMESTAMPTZ,
    published_by         BIGINT REFERENCES users(id),
    UNIQUE (campaign_id, month)
);

CREATE TABLE awardees (
    round_id   BIGINT  NOT NULL REFERENCES award_rounds(id),
    member_id  BIGINT  NOT NULL REFERENCES members(id),
    -- The unit the award is for (the member's station), kept as it was.
    unit_id    BIGINT  NOT NULL REFERENCES units(id),
    points     BIGINT  NOT NULL,
    sessions   BIGINT  NOT NULL,
    reason     TEXT    NOT NULL,
    proposed   BOOLEAN NOT NULL,
    tied       BOOLEAN NOT NULL DEFAULT FALSE,
    added_by   BIGINT REFERENCES users(id),
    PRIMARY KEY (round_id, member_id)
);
CREATE INDEX awardees_member ON awardees(member_id);

CREATE FUNCTION award_round_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    round_status TEXT;
BEGIN
    IF TG_TABLE_NAME = 'award_rounds' THEN
        round_status := OLD.status;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT status INTO round_status FROM award_rounds WHERE id = NEW.round_id;
    ELSE
        SELECT status INTO round_status FROM award_rounds WHERE id = OLD.round_id;
    END IF;
    IF round_status = 'published' THEN
        RAISE EXCEPTION 'a published award round is fixed';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER award_rounds_fixed BEFORE UPDATE OR DELETE ON award_rounds
FOR EACH ROW EXECUTE FUNCTION award_round_fixed();
CREATE TRIGGER awardees_fixed BEFORE INSERT OR UPDATE OR DELETE ON awardees
FOR EACH ROW EXECUTE FUNCTION award_round_fixed();
