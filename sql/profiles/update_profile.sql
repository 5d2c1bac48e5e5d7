-- update_profile: change the fields of an active user's profile that were sent (a NULL keeps the
-- column; diet_type, and the overrides as a whole, are replaced, even by NULL, only when their
-- _sent flag is true); profiles_compute_targets recomputes the targets in this statement, with
-- the age on the user's local today. With if_match, only a profile at one of those versions
-- changes. Returns the profile, or no row. Served by profiles_pkey (user_id) and users_pkey (id).
UPDATE profiles AS p
SET birth_date = coalesce(:'birth_date'::date, p.birth_date),
    gender = coalesce(:'gender'::text, p.gender),
    height_cm = coalesce(:'height_cm'::numeric, p.height_cm),
    weight_kg = coalesce(:'weight_kg'::numeric, p.weight_kg),
    activity_level = coalesce(:'activity_level'::text, p.activity_level),
    fitness_goal = coalesce(:'fitness_goal'::text, p.fitness_goal),
    diet_type = CASE WHEN :'diet_type_sent'::boolean THEN :'diet_type'::text ELSE p.diet_type END,
    allergies = coalesce(:'allergies'::text[], p.allergies),
    health_conditions = coalesce(:'health_conditions'::text[], p.health_conditions),
    medications = coalesce(:'medications'::text[], p.medications),
    time_zone = coalesce(:'time_zone'::text, p.time_zone),
    water_target_ml = coalesce(:'water_target_ml'::integer, p.water_target_ml),
    calories_override = CASE WHEN :'targets_sent'::boolean THEN :'calories_override'::integer
                             ELSE p.calories_override END,
    protein_g_override = CASE WHEN :'targets_sent'::boolean THEN :'protein_g_override'::integer
                              ELSE p.protein_g_override END,
    carbs_g_override = CASE WHEN :'targets_sent'::boolean THEN :'carbs_g_override'::integer
                            ELSE p.carbs_g_override END,
    fat_g_override = CASE WHEN :'targets_sent'::boolean THEN :'fat_g_override'::integer
                          ELSE p.fat_g_override END
FROM users AS u
WHERE p.user_id = :'user_id'
  AND (:'if_match'::bigint[] IS NULL OR p.version = ANY (:'if_match'::bigint[]))
  AND u.id = p.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING p.birth_date,
          extract(year FROM age((now() AT TIME ZONE p.time_zone)::date, p.birth_date))::integer
              AS age,
          p.gender, p.height_cm::float8 AS height_cm, p.weight_kg::float8 AS weight_kg,
          p.activity_level, p.fitness_goal, p.diet_type, p.allergies, p.health_conditions,
          p.medications, p.time_zone, p.water_target_ml, p.formula, p.bmr, p.tdee,
          p.daily_calories, p.target_calories, p.target_protein_g, p.target_carbs_g,
          p.target_fat_g, p.calories_override, p.protein_g_override, p.carbs_g_override,
          p.fat_g_override, p.targets_computed_on, p.created_at, p.updated_at, p.version;
