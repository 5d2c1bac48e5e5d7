-- create_history: record that a recipe was generated or cooked, with the ingredients used and the
-- preferences applied. No row (nothing written) when the recipe does not exist or is someone
-- else's. Served by recipes_pkey (user_id, id) and users_pkey (id).
INSERT INTO recipe_history (user_id, recipe_id, ingredients_used, preferences_applied)
SELECT r.user_id, r.id, :'ingredients_used'::jsonb, :'preferences_applied'::jsonb
FROM recipes AS r
JOIN users AS u ON u.id = r.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE r.user_id = :'user_id'
  AND r.id = :'recipe_id'
RETURNING id, recipe_id, generated_at, ingredients_used, preferences_applied;
