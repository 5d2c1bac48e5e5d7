-- delete_water: remove one water entry of an active user and take it off its day's total, in one
-- statement. Returns the deleted entry with the day's new total, or no row. Served by
-- water_logs_pkey (user_id, id), user_context (users_pkey, profiles_pkey) and daily_nutrition_pkey.
WITH me AS (
    SELECT c.user_id, c.time_zone, c.targets FROM user_context AS c WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
written AS (
    DELETE FROM water_logs AS w
    USING me
    WHERE w.user_id = me.user_id
      AND w.id = :'water_id'
    RETURNING w.id, w.ml, w.drunk_at, w.local_date, w.time_zone, w.created_at
),
day AS (
    UPDATE daily_nutrition AS d
    SET water_ml = d.water_ml - w.ml,
        water_entries = d.water_entries - 1,
        updated_at = now()
    FROM written AS w
    CROSS JOIN me
    WHERE d.user_id = me.user_id
      AND d.date = w.local_date
    RETURNING d.water_ml
)
SELECT w.id, w.ml, w.drunk_at, w.local_date, w.time_zone, w.created_at, day.water_ml AS day_total_ml
FROM written AS w
CROSS JOIN day;
