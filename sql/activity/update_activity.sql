-- update_activity: change the fields of an active user's activity that were sent, and move its
-- days, in one statement. A NULL keeps the column, except that the optional fields are replaced
-- (even by NULL) when their _sent flag is true. calories_burned sent as a number is the user's
-- ('user'); sent as null, it is estimated again ('estimated'); not sent, an estimated value is
-- estimated again when the type, intensity or duration changes (with the profile's weight now, 70
-- kg without a profile), and a user's value stays. A new started_at moves the activity to its
-- local date in the profile's current time zone. With if_match, only an activity at one of those
-- versions changes. The old day loses what the activity was (RETURNING old.*: the row as locked)
-- and the new day gains what it is, as one delta per date. Returns the activity, or no row.
-- Served by activity_logs_pkey (user_id, id), user_context (users_pkey, profiles_pkey),
-- activity_mets_pkey and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets, coalesce(p.weight_kg, 70) AS weight_kg
    FROM user_context AS c
    LEFT JOIN profiles AS p ON p.user_id = c.user_id
    WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    UPDATE activity_logs AS a
    SET activity_type = coalesce(:'activity_type'::text, a.activity_type),
        intensity = coalesce(:'intensity'::text, a.intensity),
        started_at = coalesce(:'started_at'::timestamptz, a.started_at),
        local_date = coalesce((:'started_at'::timestamptz AT TIME ZONE me.time_zone)::date,
                              a.local_date),
        time_zone = CASE WHEN :'started_at'::timestamptz IS NULL THEN a.time_zone
                         ELSE me.time_zone END,
        duration_min = coalesce(:'duration_min'::integer, a.duration_min),
        distance_km = CASE WHEN :'distance_km_sent'::boolean THEN :'distance_km'::numeric
                           ELSE a.distance_km END,
        calories_burned = CASE
            WHEN :'calories_burned'::integer IS NOT NULL THEN :'calories_burned'::integer
            WHEN :'calories_burned_sent'::boolean
                 OR (a.calories_source = 'estimated'
                     AND (:'activity_type'::text IS NOT NULL OR :'intensity'::text IS NOT NULL
                          OR :'duration_min'::integer IS NOT NULL))
            THEN round((SELECT m.met FROM activity_mets AS m
                        WHERE m.activity_type = coalesce(:'activity_type'::text, a.activity_type)
                          AND m.intensity = coalesce(:'intensity'::text, a.intensity))
                       * me.weight_kg * coalesce(:'duration_min'::integer, a.duration_min)
                       / 60.0)
            ELSE a.calories_burned END,
        calories_source = CASE
            WHEN NOT :'calories_burned_sent'::boolean THEN a.calories_source
            WHEN :'calories_burned'::integer IS NULL THEN 'estimated'
            ELSE 'user' END,
        heart_rate_avg = CASE WHEN :'heart_rate_avg_sent'::boolean THEN :'heart_rate_avg'::integer
                              ELSE a.heart_rate_avg END,
        steps = CASE WHEN :'steps_sent'::boolean THEN :'steps'::integer ELSE a.steps END,
        notes = CASE WHEN :'notes_sent'::boolean THEN :'notes'::text ELSE a.notes END
    FROM me
    WHERE a.user_id = me.user_id
      AND a.id = :'activity_id'
      AND (:'if_match'::bigint[] IS NULL OR a.version = ANY (:'if_match'::bigint[]))
    RETURNING a.id, a.activity_type, a.intensity, a.started_at, a.local_date, a.time_zone,
              a.duration_min, a.distance_km, a.calories_burned, a.calories_source,
              a.heart_rate_avg, a.steps, a.notes, a.created_at, a.updated_at, a.version,
              old.local_date AS old_date, old.duration_min AS old_minutes,
              old.calories_burned AS old_calories, old.steps AS old_steps
),
moves AS (
    SELECT w.old_date AS date, -w.old_calories AS calories_burned,
           -w.old_minutes AS active_minutes, -coalesce(w.old_steps, 0) AS steps, -1 AS activities
    FROM written AS w
    UNION ALL
    SELECT w.local_date, w.calories_burned, w.duration_min, coalesce(w.steps, 0), 1
    FROM written AS w
),
deltas AS (
    SELECT m.date, sum(m.calories_burned) AS calories_burned,
           sum(m.active_minutes) AS active_minutes, sum(m.steps) AS steps,
           sum(m.activities) AS activities
    FROM moves AS m
    GROUP BY m.date
),
-- A day gaining the activity may have no row yet: upsert it (its numbers are all positive then).
-- The day it leaves, or one it changes in place, has its row: update it.
added AS (
    INSERT INTO daily_nutrition AS d (user_id, date, calories_burned, active_minutes, steps,
                                      activities, targets)
    SELECT me.user_id, x.date, x.calories_burned, x.active_minutes, x.steps, x.activities,
           me.targets
    FROM deltas AS x
    CROSS JOIN me
    WHERE x.activities > 0
    ON CONFLICT (user_id, date) DO UPDATE
    SET calories_burned = d.calories_burned + excluded.calories_burned,
        active_minutes = d.active_minutes + excluded.active_minutes,
        steps = d.steps + excluded.steps,
        activities = d.activities + excluded.activities,
        updated_at = now()
),
changed AS (
    UPDATE daily_nutrition AS d
    SET calories_burned = d.calories_burned + x.calories_burned,
        active_minutes = d.active_minutes + x.active_minutes,
        steps = d.steps + x.steps,
        activities = d.activities + x.activities,
        updated_at = now()
    FROM deltas AS x
    CROSS JOIN me
    WHERE d.user_id = me.user_id
      AND d.date = x.date
      AND x.activities <= 0
)
SELECT w.id, w.activity_type, w.intensity, w.started_at, w.local_date, w.time_zone,
       w.duration_min, w.distance_km::float8 AS distance_km, w.calories_burned,
       w.calories_source, w.heart_rate_avg, w.steps, w.notes, w.created_at, w.updated_at,
       w.version
FROM written AS w;
