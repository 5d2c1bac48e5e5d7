-- seed_diary: benchmark data for the given users: a profile (UTC), and for each of the last `days`
-- days (today included, up to now) logs_per_day food logs of three items, four hours apart from
-- midnight UTC, their days in daily_nutrition (summed from the logs, with the profile's targets),
-- and today's quota counters at zero (the ORM baseline reads a counter before it writes one). One
-- statement; returns how many logs it wrote.
WITH profiles_made AS (
    INSERT INTO profiles (user_id, birth_date, gender, height_cm, weight_kg, activity_level,
                          fitness_goal, time_zone)
    SELECT u.id, '1988-04-12', 'female', 168, 64, 'moderate', 'maintain', 'UTC'
    FROM unnest(:'user_ids'::bigint[]) AS u (id)
    RETURNING user_id, target_calories, target_protein_g, target_carbs_g, target_fat_g,
              water_target_ml
),
logs AS (
    INSERT INTO food_logs (user_id, meal_type, eaten_at, local_date, time_zone, items,
                           total_calories, total_protein, total_carbs, total_fat, total_fiber)
    SELECT u.id, (ARRAY['breakfast', 'lunch', 'dinner', 'snack'])[1 + n % 4], e.at,
           (e.at AT TIME ZONE 'UTC')::date, 'UTC',
           '[{"name": "Rice", "grams": 150, "calories": 195, "protein_g": 4.1, "carbs_g": 42.3,
              "fat_g": 0.4},
             {"name": "Chicken", "grams": 120, "calories": 198, "protein_g": 37.2, "carbs_g": 0,
              "fat_g": 4.3},
             {"name": "Broccoli", "grams": 90, "calories": 31, "protein_g": 2.5, "carbs_g": 6,
              "fat_g": 0.3, "fiber_g": 2.4}]'::jsonb,
           424, 43.8, 48.3, 5.0, 2.4
    FROM unnest(:'user_ids'::bigint[]) AS u (id)
    CROSS JOIN generate_series(0, :'days'::integer * :'logs_per_day'::integer - 1) AS n
    CROSS JOIN LATERAL (
        SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
               - (n / :'logs_per_day'::integer) * interval '1 day'
               + (n % :'logs_per_day'::integer) * interval '4 hours' AS at
    ) AS e
    WHERE e.at < now()
    RETURNING user_id, local_date, meal_type, total_calories, total_protein, total_carbs,
              total_fat, total_fiber
),
days AS (
    INSERT INTO daily_nutrition (user_id, date, calories, protein_g, carbs_g, fat_g, fiber_g,
                                 breakfast_calories, lunch_calories, dinner_calories,
                                 snack_calories, food_logs, targets)
    SELECT l.user_id, l.local_date, sum(l.total_calories), sum(l.total_protein),
           sum(l.total_carbs), sum(l.total_fat), sum(l.total_fiber),
           coalesce(sum(l.total_calories) FILTER (WHERE l.meal_type = 'breakfast'), 0),
           coalesce(sum(l.total_calories) FILTER (WHERE l.meal_type = 'lunch'), 0),
           coalesce(sum(l.total_calories) FILTER (WHERE l.meal_type = 'dinner'), 0),
           coalesce(sum(l.total_calories) FILTER (WHERE l.meal_type = 'snack'), 0),
           count(*),
           ROW(p.target_calories, p.target_protein_g, p.target_carbs_g, p.target_fat_g,
               p.water_target_ml)::day_targets
    FROM logs AS l
    JOIN profiles_made AS p ON p.user_id = l.user_id
    GROUP BY l.user_id, l.local_date, p.target_calories, p.target_protein_g, p.target_carbs_g,
             p.target_fat_g, p.water_target_ml
    RETURNING 1
),
counters AS (
    INSERT INTO usage_counters (user_id, local_date, kind, used)
    SELECT u.id, (now() AT TIME ZONE 'UTC')::date, k.kind, 0
    FROM unnest(:'user_ids'::bigint[]) AS u (id)
    CROSS JOIN unnest(ARRAY['vision_analyses', 'recipe_generations', 'coach_messages']) AS k (kind)
    RETURNING 1
)
SELECT count(*) AS logs FROM logs;
