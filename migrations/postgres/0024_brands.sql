-- Village brands (S7): each station's service brand and training brand get a slogan and a story
-- of their own (station_profiles.slogan/story stay the service brand's), and photos of each,
-- re-encoded as door-to-door photos are (EXIF stripped), shown on the public brand page.

ALTER TABLE station_profiles ADD COLUMN training_slogan TEXT NOT NULL DEFAULT '';
ALTER TABLE station_profiles ADD COLUMN training_story TEXT NOT NULL DEFAULT '';

CREATE TABLE brand_photos (
    id          BIGSERIAL   PRIMARY KEY,
    unit_id     BIGINT      NOT NULL REFERENCES units(id),
    brand       TEXT        NOT NULL CHECK (brand IN ('service', 'training')),
    photo       BYTEA       NOT NULL,
    created_by  BIGINT      REFERENCES users(id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX brand_photos_unit ON brand_photos(unit_id, brand);
