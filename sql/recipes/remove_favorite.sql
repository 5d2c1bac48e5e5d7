-- remove_favorite: unmark a recipe as a favorite (not one: nothing changes). Returns one row when
-- the recipe exists and is the user's, else none. Served by recipes_pkey and favorite_recipes_pkey.
WITH recipe AS (
    SELECT r.user_id, r.id
    FROM recipes AS r
    JOIN users AS u ON u.id = r.user_id AND u.is_active
        AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    WHERE r.user_id = :'user_id'
      AND r.id = :'recipe_id'
),
removed AS (
    DELETE FROM favorite_recipes AS f
    USING recipe AS r
    WHERE f.user_id = r.user_id
      AND f.recipe_id = r.id
)
SELECT r.id FROM recipe AS r;
