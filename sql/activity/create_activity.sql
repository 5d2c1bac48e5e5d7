-- create_activity: a new activity of an active user, and its day moved by it, in one statement.
-- Its local_date is started_at (default now) in the profile's time zone (UTC without a profile),
-- computed once, here. Without calories_burned, the calories are estimated: the MET of its type
-- and intensity (activity_mets) x the profile's weight (70 kg without a profile) x its hours,
-- rounded to whole kcal. Its day's row in daily_nutrition gains its calories, minutes, steps and
-- one activity (INSERT ... ON CONFLICT DO UPDATE adds to the locked row, so concurrent writers add
-- up). Returns the activity, or no row when the user is gone or deactivated. Served by
-- user_context (users_pkey, profiles_pkey), activity_mets_pkey and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets, coalesce(p.weight_kg, 70) AS weight_kg
    FROM user_context AS c
    LEFT JOIN profiles AS p ON p.user_id = c.user_id
    WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    INSERT INTO activity_logs (user_id, activity_type, intensity, started_at, local_date,
                               time_zone, duration_min, distance_km, calories_burned,
                               calories_source, heart_rate_avg, steps, notes)
    SELECT me.user_id, :'activity_type'::text, :'intensity'::text, s.started_at,
           (s.started_at AT TIME ZONE me.time_zone)::date, me.time_zone,
           :'duration_min'::integer, :'distance_km'::numeric,
           coalesce(:'calories_burned'::integer,
                    round(m.met * me.weight_kg * :'duration_min'::integer / 60.0)),
           CASE WHEN :'calories_burned'::integer IS NULL THEN 'estimated' ELSE 'user' END,
           :'heart_rate_avg'::integer, :'steps'::integer, :'notes'::text
    FROM me
    CROSS JOIN (SELECT coalesce(:'started_at'::timestamptz, now()) AS started_at) AS s
    LEFT JOIN activity_mets AS m ON m.activity_type = :'activity_type'::text
                                AND m.intensity = :'intensity'::text
    RETURNING id, activity_type, intensity, started_at, local_date, time_zone, duration_min,
              distance_km, calories_burned, calories_source, heart_rate_avg, steps, notes,
              created_at, updated_at, version
),
added AS (
    INSERT INTO daily_nutrition AS d (user_id, date, calories_burned, active_minutes, steps,
                                      activities, targets)
    SELECT me.user_id, w.local_date, w.calories_burned, w.duration_min, coalesce(w.steps, 0), 1,
           me.targets
    FROM written AS w
    CROSS JOIN me
    ON CONFLICT (user_id, date) DO UPDATE
    SET calories_burned = d.calories_burned + excluded.calories_burned,
        active_minutes = d.active_minutes + excluded.active_minutes,
        steps = d.steps + excluded.steps,
        activities = d.activities + excluded.activities,
        updated_at = now()
)
SELECT w.id, w.activity_type, w.intensity, w.started_at, w.local_date, w.time_zone,
       w.duration_min, w.distance_km::float8 AS distance_km, w.calories_burned,
       w.calories_source, w.heart_rate_avg, w.steps, w.notes, w.created_at, w.updated_at,
       w.version
FROM written AS w;
