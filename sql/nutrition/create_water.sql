-- create_water: a new water entry of an active user, dated like a food log (drunk_at, default now,
-- in the profile's time zone), and its day's water total moved by it, in one statement (the day
-- takes the profile's targets when it has no entries yet). Returns the entry with the day's new
-- total, or no row when the user is gone or deactivated. Served by user_context (users_pkey,
-- profiles_pkey) and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets FROM user_context AS c WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    INSERT INTO water_logs (user_id, ml, drunk_at, local_date, time_zone)
    SELECT me.user_id, :'ml'::integer, e.drunk_at, (e.drunk_at AT TIME ZONE me.time_zone)::date,
           me.time_zone
    FROM me
    CROSS JOIN (SELECT coalesce(:'drunk_at'::timestamptz, now()) AS drunk_at) AS e
    RETURNING id, ml, drunk_at, local_date, time_zone, created_at
),
day AS (
    INSERT INTO daily_nutrition AS d (user_id, date, water_ml, water_entries, targets)
    SELECT me.user_id, w.local_date, w.ml, 1, me.targets
    FROM written AS w
    CROSS JOIN me
    ON CONFLICT (user_id, date) DO UPDATE
    SET water_ml = d.water_ml + excluded.water_ml,
        water_entries = d.water_entries + 1,
        targets = CASE WHEN d.food_logs + d.water_entries = 0 THEN excluded.targets
                       ELSE d.targets END,
        updated_at = now()
    RETURNING d.water_ml
)
SELECT w.id, w.ml, w.drunk_at, w.local_date, w.time_zone, w.created_at, day.water_ml AS day_total_ml
FROM written AS w
CROSS JOIN day;
