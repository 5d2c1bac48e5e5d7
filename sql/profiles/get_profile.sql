-- get_profile: the profile of an active user, with its age in whole years on the user's local
-- today, or no row (no profile, or the account is gone or deactivated).
-- Served by profiles_pkey (user_id) and users_pkey (id).
SELECT p.birth_date,
       extract(year FROM age((now() AT TIME ZONE p.time_zone)::date, p.birth_date))::integer AS age,
       p.gender, p.height_cm::float8 AS height_cm, p.weight_kg::float8 AS weight_kg,
       p.activity_level, p.fitness_goal, p.diet_type, p.allergies, p.health_conditions,
       p.medications, p.time_zone, p.water_target_ml, p.formula, p.bmr, p.tdee, p.daily_calories,
       p.target_calories, p.target_protein_g, p.target_carbs_g, p.target_fat_g,
       p.calories_override, p.protein_g_override, p.carbs_g_override, p.fat_g_override,
       p.targets_computed_on, p.created_at, p.updated_at, p.version
FROM profiles AS p
JOIN users AS u ON u.id = p.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE p.user_id = :'user_id';
