-- get_days: an active user's days from..to (inclusive; to defaults to the user's local today, from
-- to six days before to), one row per date, a date without entries with zeros, in one statement. A
-- day's targets are those it took with its first entry; a day without entries shows the profile's
-- current targets (NULL without a profile; an activity does not start a day's targets).
-- remaining_calories is the target less what was eaten plus what was burned. The summary (the
-- same on every row) is over the days with at least one food log. range_days is the length of the
-- range; when it is not 1-366 there is one row, its date NULL, and nothing else is read. No row
-- when the user is gone or deactivated. Served by user_context (users_pkey, profiles_pkey) and one
-- range scan of daily_nutrition_pkey (user_id, date).
WITH span AS (
    SELECT c.user_id, c.targets, b.first_day, b.last_day,
           b.last_day - b.first_day + 1 AS range_days
    FROM user_context AS c
    CROSS JOIN LATERAL (
        SELECT coalesce(:'from_date'::date, coalesce(:'to_date'::date, c.today) - 6) AS first_day,
               coalesce(:'to_date'::date, c.today) AS last_day
    ) AS b
    WHERE c.user_id = :'user_id'
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
),
logged AS (
    SELECT d.date, d.calories, d.protein_g, d.carbs_g, d.fat_g, d.fiber_g, d.water_ml,
           d.food_logs, d.water_entries, d.breakfast_calories, d.lunch_calories,
           d.dinner_calories, d.snack_calories, d.calories_burned, d.active_minutes, d.steps,
           d.activities, d.targets
    FROM span AS s
    JOIN daily_nutrition AS d ON d.user_id = s.user_id
                             AND d.date BETWEEN s.first_day AND s.last_day
    WHERE s.range_days BETWEEN 1 AND 366
)
SELECT s.first_day + g.n AS date,
       coalesce(l.calories, 0)::float8 AS calories, coalesce(l.protein_g, 0)::float8 AS protein_g,
       coalesce(l.carbs_g, 0)::float8 AS carbs_g, coalesce(l.fat_g, 0)::float8 AS fat_g,
       coalesce(l.fiber_g, 0)::float8 AS fiber_g, coalesce(l.water_ml, 0) AS water_ml,
       coalesce(l.food_logs, 0) AS food_logs, coalesce(l.water_entries, 0) AS water_entries,
       coalesce(l.breakfast_calories, 0)::float8 AS breakfast_calories,
       coalesce(l.lunch_calories, 0)::float8 AS lunch_calories,
       coalesce(l.dinner_calories, 0)::float8 AS dinner_calories,
       coalesce(l.snack_calories, 0)::float8 AS snack_calories,
       coalesce(l.calories_burned, 0) AS calories_burned,
       coalesce(l.active_minutes, 0) AS active_minutes, coalesce(l.steps, 0) AS steps,
       coalesce(l.activities, 0) AS activities,
       (t.targets).calories AS target_calories, (t.targets).protein_g AS target_protein_g,
       (t.targets).carbs_g AS target_carbs_g, (t.targets).fat_g AS target_fat_g,
       (t.targets).water_ml AS target_water_ml,
       ((t.targets).calories - coalesce(l.calories, 0) + coalesce(l.calories_burned, 0))::float8
           AS remaining_calories,
       s.range_days,
       count(*) FILTER (WHERE l.food_logs > 0) OVER () AS days_logged,
       round(avg(l.calories) FILTER (WHERE l.food_logs > 0) OVER (), 2)::float8
           AS average_calories,
       round(avg(l.protein_g) FILTER (WHERE l.food_logs > 0) OVER (), 2)::float8
           AS average_protein_g,
       round(avg(l.carbs_g) FILTER (WHERE l.food_logs > 0) OVER (), 2)::float8
           AS average_carbs_g,
       round(avg(l.fat_g) FILTER (WHERE l.food_logs > 0) OVER (), 2)::float8 AS average_fat_g
FROM span AS s
LEFT JOIN LATERAL generate_series(
    0, CASE WHEN s.range_days BETWEEN 1 AND 366 THEN s.range_days - 1 ELSE -1 END
) AS g (n) ON true
LEFT JOIN logged AS l ON l.date = s.first_day + g.n
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.food_logs + l.water_entries > 0 THEN l.targets ELSE s.targets END
               AS targets
) AS t
ORDER BY g.n;
