-- update_recipe: apply the changes (a JSON object holding only the fields that were sent; a null
-- clears a field) to a recipe; with if_match (a list of versions, from If-Match), only to a recipe
-- at one of those versions. Returns the recipe with its tags and favorite flag, or no row.
-- The tags are read from the statement's snapshot: when another writer changed the recipe after
-- that was taken (this UPDATE then waited for its lock and changed the newer version), they can be
-- older than the recipe, and read_current is false: the caller reads the recipe again.
-- Served by recipes_pkey (user_id, id), users_pkey, recipe_tags_pkey and favorite_recipes_pkey.
WITH changed AS (
    UPDATE recipes AS r
    SET (name, description, cuisine_type, difficulty, prep_time, cook_time, servings,
         calories_per_serving, protein_per_serving, carbs_per_serving, fat_per_serving,
         confidence_score, image_url, recipe_json) = (
        SELECT p.name, p.description, p.cuisine_type, p.difficulty, p.prep_time, p.cook_time,
               p.servings, p.calories_per_serving, p.protein_per_serving, p.carbs_per_serving,
               p.fat_per_serving, p.confidence_score, p.image_url, p.recipe_json
        FROM jsonb_populate_record(r, :'changes'::jsonb) AS p
    )
    FROM users AS u
    WHERE r.user_id = :'user_id'
      AND r.id = :'recipe_id'
      AND (:'if_match'::bigint[] IS NULL OR r.version = ANY (:'if_match'::bigint[]))
      AND u.id = r.user_id
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING r.*
)
SELECT c.id, c.name, c.description, c.cuisine_type, c.difficulty, c.prep_time, c.cook_time,
       c.total_time, c.servings, c.calories_per_serving, c.protein_per_serving,
       c.carbs_per_serving, c.fat_per_serving, c.confidence_score, c.image_url, c.recipe_json,
       ARRAY(
           SELECT t.name
           FROM recipe_tags AS rt
           JOIN tags AS t ON t.id = rt.tag_id
           WHERE rt.user_id = c.user_id AND rt.recipe_id = c.id
           ORDER BY t.name
       ) AS tags,
       EXISTS (
           SELECT FROM favorite_recipes AS f WHERE f.user_id = c.user_id AND f.recipe_id = c.id
       ) AS favorite,
       c.created_at, c.updated_at, c.version,
       c.version = (SELECT s.version + 1 FROM recipes AS s
                    WHERE s.user_id = c.user_id AND s.id = c.id) AS read_current
FROM changed AS c;
