-- set_recipe_tags: make the recipe's tags exactly these names (already in tags), the second
-- statement of the transaction that lock_recipe_for_tags began: that statement holds the recipe's
-- lock, so this one's snapshot has every tag a concurrent replacement committed before it, and
-- replacements apply one after the other. The recipe's version goes up. Returns the recipe with
-- its new tags and favorite flag, or no row when it does not exist (or is someone else's, or with
-- if_match, is at another version).
-- Served by recipes_pkey (user_id, id), tags_name_key and recipe_tags_pkey.
WITH recipe AS (
    UPDATE recipes AS r
    SET updated_at = now()
    FROM users AS u
    WHERE r.user_id = :'user_id'
      AND r.id = :'recipe_id'
      AND (:'if_match'::bigint[] IS NULL OR r.version = ANY (:'if_match'::bigint[]))
      AND u.id = r.user_id
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING r.*
),
wanted AS (
    SELECT t.id, t.name
    FROM tags AS t
    WHERE t.name = ANY (:'tags'::text[])
),
removed AS (
    DELETE FROM recipe_tags AS rt
    USING recipe AS r
    WHERE rt.user_id = r.user_id
      AND rt.recipe_id = r.id
      AND rt.tag_id NOT IN (SELECT w.id FROM wanted AS w)
),
added AS (
    INSERT INTO recipe_tags (user_id, recipe_id, tag_id)
    SELECT r.user_id, r.id, w.id
    FROM recipe AS r, wanted AS w
    ON CONFLICT DO NOTHING
)
SELECT c.id, c.name, c.description, c.cuisine_type, c.difficulty, c.prep_time, c.cook_time,
       c.total_time, c.servings, c.calories_per_serving, c.protein_per_serving,
       c.carbs_per_serving, c.fat_per_serving, c.confidence_score, c.image_url, c.recipe_json,
       ARRAY(SELECT w.name FROM wanted AS w ORDER BY w.name) AS tags,
       EXISTS (
           SELECT FROM favorite_recipes AS f WHERE f.user_id = c.user_id AND f.recipe_id = c.id
       ) AS favorite,
       c.created_at, c.updated_at, c.version
FROM recipe AS c;
