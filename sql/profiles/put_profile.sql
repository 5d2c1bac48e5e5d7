-- put_profile: create or replace the profile of an active user (profiles_compute_targets computes
-- its targets in this statement); a PUT with If-Match runs update_profile with every field
-- instead. Returns the profile and whether it was created, or no row when the account is gone or
-- deactivated. Served by users_pkey (id) and profiles_pkey (user_id).
INSERT INTO profiles AS p (user_id, birth_date, gender, height_cm, weight_kg, activity_level,
                           fitness_goal, diet_type, allergies, health_conditions, medications,
                           time_zone, water_target_ml, calories_override, protein_g_override,
                           carbs_g_override, fat_g_override)
SELECT u.id, :'birth_date'::date, :'gender'::text, :'height_cm'::numeric, :'weight_kg'::numeric,
       :'activity_level'::text, :'fitness_goal'::text, :'diet_type'::text, :'allergies'::text[],
       :'health_conditions'::text[], :'medications'::text[], :'time_zone'::text,
       :'water_target_ml'::integer, :'calories_override'::integer,
       :'protein_g_override'::integer, :'carbs_g_override'::integer, :'fat_g_override'::integer
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ON CONFLICT (user_id) DO UPDATE
SET birth_date = excluded.birth_date,
    gender = excluded.gender,
    height_cm = excluded.height_cm,
    weight_kg = excluded.weight_kg,
    activity_level = excluded.activity_level,
    fitness_goal = excluded.fitness_goal,
    diet_type = excluded.diet_type,
    allergies = excluded.allergies,
    health_conditions = excluded.health_conditions,
    medications = excluded.medications,
    time_zone = excluded.time_zone,
    water_target_ml = excluded.water_target_ml,
    calories_override = excluded.calories_override,
    protein_g_override = excluded.protein_g_override,
    carbs_g_override = excluded.carbs_g_override,
    fat_g_override = excluded.fat_g_override
RETURNING p.birth_date,
          extract(year FROM age((now() AT TIME ZONE p.time_zone)::date, p.birth_date))::integer
              AS age,
          p.gender, p.height_cm::float8 AS height_cm, p.weight_kg::float8 AS weight_kg,
          p.activity_level, p.fitness_goal, p.diet_type, p.allergies, p.health_conditions,
          p.medications, p.time_zone, p.water_target_ml, p.formula, p.bmr, p.tdee,
          p.daily_calories, p.target_calories, p.target_protein_g, p.target_carbs_g,
          p.target_fat_g, p.calories_override, p.protein_g_override, p.carbs_g_override,
          p.fat_g_override, p.targets_computed_on, p.created_at, p.updated_at, p.version,
          old.user_id IS NULL AS created;
