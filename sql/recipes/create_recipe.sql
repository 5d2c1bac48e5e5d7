-- create_recipe: insert a recipe for an active user from its JSON representation (the validated
-- request body: keys that are columns of recipes); no row when the user is gone or deactivated.
-- A new recipe has no tags and is not a favorite. Served by users_pkey (id) for the owner check.
INSERT INTO recipes (user_id, name, description, cuisine_type, difficulty, prep_time, cook_time,
                     servings, calories_per_serving, protein_per_serving, carbs_per_serving,
                     fat_per_serving, confidence_score, image_url, recipe_json)
SELECT u.id, d.name, d.description, d.cuisine_type, d.difficulty, d.prep_time, d.cook_time,
       d.servings, d.calories_per_serving, d.protein_per_serving, d.carbs_per_serving,
       d.fat_per_serving, d.confidence_score, d.image_url, d.recipe_json
FROM users AS u,
     jsonb_populate_record(NULL::recipes, :'recipe'::jsonb) AS d
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING id, name, description, cuisine_type, difficulty, prep_time, cook_time, total_time, servings,
       calories_per_serving, protein_per_serving, carbs_per_serving, fat_per_serving,
       confidence_score, image_url, recipe_json,
          ARRAY[]::text[] AS tags, false AS favorite, created_at, updated_at, version;
