-- get_recipe_version: the current version of a recipe, to tell "changed" (412) from "missing"
-- (404) after a conditional write touched nothing, and an empty history from a missing recipe.
-- Served by recipes_pkey (user_id, id) and users_pkey (id).
SELECT r.version
FROM recipes AS r
JOIN users AS u ON u.id = r.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE r.user_id = :'user_id'
  AND r.id = :'recipe_id';
