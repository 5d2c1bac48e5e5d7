-- 0010_profiles: each user's nutritional profile (the seed's profiles): who they are, how active,
-- what they aim for, their time zone, and the daily targets computed from all that; and the time
-- zone names a profile may hold.
-- depends: 0009_recipes_cuisine_not_blank

-- The IANA time zone names this PostgreSQL knows, copied from pg_timezone_names when migrating
-- (the view reads the server's time zone files, about 15 ms a query). profiles.time_zone refers to
-- it, so only a real zone name is stored: AT TIME ZONE alone would also take POSIX strings such as
-- 'Foo+3'. A reference table, the same for every user (Citus would replicate it).
CREATE TABLE time_zones (
    name text NOT NULL,
    CONSTRAINT time_zones_pkey PRIMARY KEY (name)
);
INSERT INTO time_zones (name) SELECT name FROM pg_timezone_names;

CREATE TABLE profiles (
    user_id               bigint       NOT NULL,
    birth_date            date         NOT NULL,
    gender                text         NOT NULL,
    height_cm             numeric(4,1) NOT NULL,
    weight_kg             numeric(4,1) NOT NULL,
    activity_level        text         NOT NULL,
    fitness_goal          text         NOT NULL,
    diet_type             text,
    allergies             text[]       NOT NULL DEFAULT '{}',
    health_conditions     text[]       NOT NULL DEFAULT '{}',
    medications           text[]       NOT NULL DEFAULT '{}',
    time_zone             text         NOT NULL DEFAULT 'UTC',
    water_target_ml       integer      NOT NULL DEFAULT 2000,
    -- The client's overrides of the computed targets (NULL: the computed value).
    calories_override     integer,
    protein_g_override    integer,
    carbs_g_override      integer,
    fat_g_override        integer,
    -- Computed by profiles_compute_targets on every insert and update, from the columns above.
    formula               text         NOT NULL,
    targets_computed_on   date         NOT NULL,
    bmr                   integer      NOT NULL,
    tdee                  integer      NOT NULL,
    daily_calories        integer      NOT NULL,
    target_calories       integer      NOT NULL,
    target_protein_g      integer      NOT NULL,
    target_carbs_g        integer      NOT NULL,
    target_fat_g          integer      NOT NULL,
    created_at            timestamptz  NOT NULL DEFAULT now(),
    updated_at            timestamptz  NOT NULL DEFAULT now(),
    version               bigint       NOT NULL DEFAULT 1,
    CONSTRAINT profiles_pkey PRIMARY KEY (user_id),
    CONSTRAINT profiles_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT profiles_time_zone_fkey FOREIGN KEY (time_zone) REFERENCES time_zones (name),
    CONSTRAINT profiles_gender_valid CHECK (gender IN ('male', 'female', 'other')),
    CONSTRAINT profiles_height_range CHECK (height_cm BETWEEN 100 AND 250),
    CONSTRAINT profiles_weight_range CHECK (weight_kg BETWEEN 25 AND 400),
    CONSTRAINT profiles_activity_level_valid CHECK (
        activity_level IN ('sedentary', 'light', 'moderate', 'active', 'very_active')
    ),
    CONSTRAINT profiles_fitness_goal_valid CHECK (fitness_goal IN ('lose', 'maintain', 'gain')),
    CONSTRAINT profiles_diet_type_length CHECK (
        char_length(diet_type) BETWEEN 1 AND 50 AND diet_type ~ '[^[:space:]]'
    ),
    -- At most 50 entries each, none NULL (the API also bounds each entry to 1-100 characters).
    CONSTRAINT profiles_lists_size CHECK (
        cardinality(allergies) <= 50 AND array_position(allergies, NULL) IS NULL
        AND cardinality(health_conditions) <= 50 AND array_position(health_conditions, NULL) IS NULL
        AND cardinality(medications) <= 50 AND array_position(medications, NULL) IS NULL
    ),
    CONSTRAINT profiles_water_target_range CHECK (water_target_ml BETWEEN 500 AND 10000),
    CONSTRAINT profiles_calories_override_range CHECK (calories_override BETWEEN 500 AND 10000),
    CONSTRAINT profiles_macro_overrides_range CHECK (
        protein_g_override BETWEEN 0 AND 1000 AND carbs_g_override BETWEEN 0 AND 1000
        AND fat_g_override BETWEEN 0 AND 1000
    ),
    CONSTRAINT profiles_formula_valid CHECK (formula IN ('mifflin_st_jeor'))
);

-- The targets, computed in the statement that writes the profile (PUT, PATCH, or a later domain
-- changing the weight), so they can never disagree with what they are computed from:
--   age             whole years on the user's local today (in time_zone)
--   bmr             Mifflin-St Jeor: 10 kg + 6.25 cm - 5 age + 5 (male), - 161 (female),
--                   - 78 (other)
--   tdee            bmr x 1.2 / 1.375 / 1.55 / 1.725 / 1.9 (sedentary ... very_active)
--   daily_calories  tdee - 500 (lose), + 0 (maintain), + 300 (gain), never below 1200
--   target_*        the override where there is one; else calories = daily_calories, and of the
--                   target calories 30% protein, 40% carbs, 30% fat at 4 / 4 / 9 kcal per gram
-- bmr and tdee are rounded to whole kcal (tdee from the unrounded bmr), grams to whole grams, half
-- away from zero. An age outside 13-120 is refused as profiles_age_range (raised here: a CHECK
-- cannot read the date), and an unknown zone as profiles_time_zone_fkey before AT TIME ZONE would
-- fail on it.
CREATE FUNCTION profiles_compute_targets() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    today date;
    years integer;
    exact_bmr numeric;
BEGIN
    IF NOT EXISTS (SELECT FROM time_zones AS z WHERE z.name = NEW.time_zone) THEN
        RAISE EXCEPTION 'time zone % is not one PostgreSQL knows', NEW.time_zone
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'profiles_time_zone_fkey',
                  TABLE = 'profiles', COLUMN = 'time_zone';
    END IF;
    today := (now() AT TIME ZONE NEW.time_zone)::date;
    years := CASE WHEN isfinite(NEW.birth_date) THEN extract(year FROM age(today, NEW.birth_date))
             END;
    IF years IS NULL OR years NOT BETWEEN 13 AND 120 THEN
        RAISE EXCEPTION 'birth_date % makes the user % on %, not 13-120', NEW.birth_date, years,
                        today
            USING ERRCODE = 'check_violation', CONSTRAINT = 'profiles_age_range',
                  TABLE = 'profiles', COLUMN = 'birth_date';
    END IF;
    exact_bmr := 10 * NEW.weight_kg + 6.25 * NEW.height_cm - 5 * years
        + CASE NEW.gender WHEN 'male' THEN 5 WHEN 'female' THEN -161 ELSE -78 END;
    NEW.formula := 'mifflin_st_jeor';
    NEW.targets_computed_on := today;
    NEW.bmr := round(exact_bmr);
    NEW.tdee := round(exact_bmr * CASE NEW.activity_level
        WHEN 'sedentary' THEN 1.2 WHEN 'light' THEN 1.375 WHEN 'moderate' THEN 1.55
        WHEN 'active' THEN 1.725 ELSE 1.9 END);
    NEW.daily_calories := greatest(1200, NEW.tdee + CASE NEW.fitness_goal
        WHEN 'lose' THEN -500 WHEN 'gain' THEN 300 ELSE 0 END);
    NEW.target_calories := coalesce(NEW.calories_override, NEW.daily_calories);
    NEW.target_protein_g := coalesce(NEW.protein_g_override, round(NEW.target_calories * 0.30 / 4));
    NEW.target_carbs_g := coalesce(NEW.carbs_g_override, round(NEW.target_calories * 0.40 / 4));
    NEW.target_fat_g := coalesce(NEW.fat_g_override, round(NEW.target_calories * 0.30 / 9));
    RETURN NEW;
END;
$$;

CREATE TRIGGER profiles_compute_targets BEFORE INSERT OR UPDATE ON profiles
    FOR EACH ROW EXECUTE FUNCTION profiles_compute_targets();
CREATE TRIGGER profiles_touch_row BEFORE UPDATE ON profiles
    FOR EACH ROW EXECUTE FUNCTION touch_row();

GRANT SELECT, INSERT, UPDATE, DELETE ON profiles TO pgapi_service;
-- The service only reads the zone names; migrations fill them.
GRANT SELECT ON time_zones TO pgapi_service;
