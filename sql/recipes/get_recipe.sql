-- get_recipe: one recipe with its tags and favorite flag.
-- Served by recipes_pkey (user_id, id), recipe_tags_pkey, favorite_recipes_pkey and users_pkey.
SELECT d.id, d.name, d.description, d.cuisine_type, d.difficulty, d.prep_time, d.cook_time,
       d.total_time, d.servings, d.calories_per_serving, d.protein_per_serving,
       d.carbs_per_serving, d.fat_per_serving, d.confidence_score, d.image_url, d.recipe_json,
       d.tags, d.favorite, d.created_at, d.updated_at, d.version
FROM recipe_details AS d
JOIN users AS u ON u.id = d.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE d.user_id = :'user_id'
  AND d.id = :'recipe_id';
