-- list_history: a page of a recipe's history, newest first, strictly after the keyset position
-- (after_generated_at, after_id); the first page passes 'infinity' and 0.
-- Served by recipe_history_user_recipe_generated_idx (user_id, recipe_id, generated_at DESC, id DESC).
SELECT h.id, h.recipe_id, h.generated_at, h.ingredients_used, h.preferences_applied
FROM recipe_history AS h
WHERE h.user_id = :'user_id'
  AND h.recipe_id = :'recipe_id'
  AND (h.generated_at, h.id) < (:'after_generated_at'::timestamptz, :'after_id'::bigint)
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY h.generated_at DESC, h.id DESC
LIMIT :'limit';
