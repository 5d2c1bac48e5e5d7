-- delete_recipe: delete a recipe (its tag links, favorite and history go by their foreign keys'
-- cascades); with if_match, only at one of those versions. Touches one row or none.
-- Served by recipes_pkey (user_id, id) and users_pkey (id).
DELETE FROM recipes AS r
USING users AS u
WHERE r.user_id = :'user_id'
  AND r.id = :'recipe_id'
  AND (:'if_match'::bigint[] IS NULL OR r.version = ANY (:'if_match'::bigint[]))
  AND u.id = r.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
