-- 0041_weights: weigh-ins (the seed's weight_logs), several a day if the user likes, dated like
-- every entry; the latest of them is the profile's weight, kept so by a trigger in the
-- transaction of every write, and the profile's targets follow it (profiles_compute_targets).
-- depends: 0040_activity

CREATE TABLE weight_logs (
    user_id             bigint       NOT NULL,
    id                  bigint       GENERATED ALWAYS AS IDENTITY,
    weight_kg           numeric(4,1) NOT NULL,
    body_fat_percentage numeric(3,1),
    muscle_mass_kg      numeric(4,1),
    measured_at         timestamptz  NOT NULL,
    local_date          date         NOT NULL,
    time_zone           text         NOT NULL,
    notes               text,
    created_at          timestamptz  NOT NULL DEFAULT now(),
    updated_at          timestamptz  NOT NULL DEFAULT now(),
    version             bigint       NOT NULL DEFAULT 1,
    CONSTRAINT weight_logs_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT weight_logs_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    -- The profile's range (profiles_weight_range): the latest weigh-in becomes its weight.
    CONSTRAINT weight_logs_weight_range CHECK (weight_kg BETWEEN 25 AND 400),
    CONSTRAINT weight_logs_body_fat_range CHECK (body_fat_percentage BETWEEN 2 AND 75),
    CONSTRAINT weight_logs_muscle_mass_range CHECK (
        muscle_mass_kg BETWEEN 5 AND 250 AND muscle_mass_kg <= weight_kg
    ),
    CONSTRAINT weight_logs_notes_length CHECK (char_length(notes) BETWEEN 1 AND 1000)
);

-- The latest weigh-in (the profile's weight, a goal's current value).
CREATE INDEX weight_logs_user_measured_idx ON weight_logs (user_id, measured_at DESC, id DESC);
-- list_weights: newest first by local date, then measured_at, keyset on (local_date,
-- measured_at, id), a from/to range bounding the walk; get_weight_trend: the days of a range,
-- the days before it, and the first weigh-in ever (the same index backwards).
CREATE INDEX weight_logs_user_local_date_idx
    ON weight_logs (user_id, local_date DESC, measured_at DESC, id DESC);

CREATE TRIGGER weight_logs_touch_row BEFORE UPDATE ON weight_logs
    FOR EACH ROW EXECUTE FUNCTION touch_row();

-- After every weigh-in written, moved, changed or deleted: the profile's weight is the latest
-- weigh-in's (by measured_at), and profiles_compute_targets recomputes its targets in the same
-- UPDATE, so the chain weigh-in -> profile -> targets commits with the write or not at all. A
-- backdated weigh-in changes nothing (the UPDATE skips an unchanged weight, so the profile's
-- version stays); deleting the latest falls back to the one before; deleting the last one keeps
-- the profile's weight. Without a profile there is nothing to change.
-- The profile row is locked first, in a statement of its own: the UPDATE after it reads the
-- weigh-ins with a snapshot taken after the lock (each statement of a volatile function takes
-- its own in READ COMMITTED), so of two concurrent weigh-ins the second to get the lock sees the
-- first, and the later one always wins. In one snapshot it could not (the snapshot trap).
CREATE FUNCTION weight_logs_sync_profile() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
BEGIN
    PERFORM FROM profiles AS p WHERE p.user_id = owner FOR UPDATE;
    IF FOUND THEN
        UPDATE profiles AS p
        SET weight_kg = l.weight_kg
        FROM (SELECT w.weight_kg FROM weight_logs AS w
              WHERE w.user_id = owner
              ORDER BY w.measured_at DESC, w.id DESC
              LIMIT 1) AS l
        WHERE p.user_id = owner
          AND p.weight_kg IS DISTINCT FROM l.weight_kg;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER weight_logs_sync_profile
    AFTER INSERT OR DELETE OR UPDATE OF weight_kg, measured_at ON weight_logs
    FOR EACH ROW EXECUTE FUNCTION weight_logs_sync_profile();

GRANT SELECT, INSERT, UPDATE, DELETE ON weight_logs TO pgapi_service;
