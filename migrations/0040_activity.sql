-- 0040_activity: the activity diary (the seed's activity_logs), the MET values its calories are
-- estimated from, and the burned calories, active minutes and steps of each day in
-- daily_nutrition, moved by every activity write in the same statement.
-- depends: 0012_usage

-- Metabolic equivalents (kcal per kg per hour) per activity type and intensity, from the 2011
-- Compendium of Physical Activities (Ainsworth et al.): walking 2.0 / 3.0 / 4.0 mph; running
-- (jogging, general) / 6 / 8 mph; cycling leisure < 10 / 10-11.9 / 14-15.9 mph; swimming laps
-- freestyle slow / crawl medium speed / freestyle fast; resistance training 8-15 reps / squats /
-- weight lifting vigorous; yoga stretching mild / Hatha / Power; and for "other" the middle of
-- the Compendium's light (< 3), moderate (3-6) and vigorous (> 6) bands. A reference table, the
-- same for every user; activity_logs refers to it, so a type and intensity always have a value.
CREATE TABLE activity_mets (
    activity_type text         NOT NULL,
    intensity     text         NOT NULL,
    met           numeric(4,1) NOT NULL,
    CONSTRAINT activity_mets_pkey PRIMARY KEY (activity_type, intensity),
    CONSTRAINT activity_mets_intensity_valid CHECK (intensity IN ('low', 'moderate', 'high')),
    CONSTRAINT activity_mets_met_range CHECK (met BETWEEN 1 AND 25)
);
INSERT INTO activity_mets (activity_type, intensity, met) VALUES
    ('walking', 'low', 2.8), ('walking', 'moderate', 3.5), ('walking', 'high', 5.0),
    ('running', 'low', 7.0), ('running', 'moderate', 9.8), ('running', 'high', 11.8),
    ('cycling', 'low', 4.0), ('cycling', 'moderate', 6.8), ('cycling', 'high', 10.0),
    ('swimming', 'low', 5.8), ('swimming', 'moderate', 8.3), ('swimming', 'high', 9.8),
    ('strength_training', 'low', 3.5), ('strength_training', 'moderate', 5.0),
    ('strength_training', 'high', 6.0),
    ('yoga', 'low', 2.3), ('yoga', 'moderate', 2.5), ('yoga', 'high', 4.0),
    ('other', 'low', 2.0), ('other', 'moderate', 4.5), ('other', 'high', 7.5);

-- An activity: when it started (started_at) and, computed once when it is written, the date that
-- was in the user's time zone then (local_date, with that zone), as a food log. calories_burned is
-- what the user sent (calories_source 'user') or MET x weight x hours, rounded to whole kcal, with
-- the profile's weight then (70 kg without a profile) and the MET of its type and intensity
-- (calories_source 'estimated'); the statements that write it compute it.
CREATE TABLE activity_logs (
    user_id         bigint       NOT NULL,
    id              bigint       GENERATED ALWAYS AS IDENTITY,
    activity_type   text         NOT NULL,
    intensity       text         NOT NULL,
    started_at      timestamptz  NOT NULL,
    local_date      date         NOT NULL,
    time_zone       text         NOT NULL,
    duration_min    integer      NOT NULL,
    distance_km     numeric(6,2),
    calories_burned integer      NOT NULL,
    calories_source text         NOT NULL,
    heart_rate_avg  integer,
    steps           integer,
    notes           text,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    version         bigint       NOT NULL DEFAULT 1,
    CONSTRAINT activity_logs_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT activity_logs_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    CONSTRAINT activity_logs_type_fkey FOREIGN KEY (activity_type, intensity)
        REFERENCES activity_mets (activity_type, intensity),
    CONSTRAINT activity_logs_duration_range CHECK (duration_min BETWEEN 1 AND 1440),
    CONSTRAINT activity_logs_distance_range CHECK (distance_km BETWEEN 0 AND 1000),
    CONSTRAINT activity_logs_calories_range CHECK (calories_burned BETWEEN 0 AND 20000),
    CONSTRAINT activity_logs_calories_source_valid CHECK (
        calories_source IN ('estimated', 'user')
    ),
    CONSTRAINT activity_logs_heart_rate_range CHECK (heart_rate_avg BETWEEN 20 AND 250),
    CONSTRAINT activity_logs_steps_range CHECK (steps BETWEEN 0 AND 200000),
    CONSTRAINT activity_logs_notes_length CHECK (char_length(notes) BETWEEN 1 AND 1000)
);

-- list_activities: newest first by local date, then started_at, keyset on (local_date,
-- started_at, id), a from/to range of local dates bounding the walk; get_day's activities (the
-- same index backwards). list_activities_by_type: the same order, of one activity_type.
CREATE INDEX activity_logs_user_local_date_idx
    ON activity_logs (user_id, local_date DESC, started_at DESC, id DESC);
CREATE INDEX activity_logs_user_type_local_date_idx
    ON activity_logs (user_id, activity_type, local_date DESC, started_at DESC, id DESC);

CREATE TRIGGER activity_logs_touch_row BEFORE UPDATE ON activity_logs
    FOR EACH ROW EXECUTE FUNCTION touch_row();

-- A day's activity, summed from its activities by the statements that write them, as its food
-- and water totals are (an activity does not start the day's targets: those come with its first
-- food log or water entry).
ALTER TABLE daily_nutrition
    ADD COLUMN calories_burned integer NOT NULL DEFAULT 0,
    ADD COLUMN active_minutes  integer NOT NULL DEFAULT 0,
    ADD COLUMN steps           bigint  NOT NULL DEFAULT 0,
    ADD COLUMN activities      integer NOT NULL DEFAULT 0,
    ADD CONSTRAINT daily_nutrition_activity_not_negative CHECK (
        calories_burned >= 0 AND active_minutes >= 0 AND steps >= 0 AND activities >= 0
    );

GRANT SELECT, INSERT, UPDATE, DELETE ON activity_logs TO pgapi_service;
-- The service only reads the MET values; migrations fill them.
GRANT SELECT ON activity_mets TO pgapi_service;
