-- list_favorite_recipes_newest: a page of a user's favorite recipes matching every other filter
-- that is not NULL, newest first, after the keyset position (after_created_at, after_id; the first
-- page passes 'infinity' and 0). No row when the account is gone or deactivated; one row of NULLs
-- for an empty page. Served by users_pkey, then favorite_recipes_pkey (user_id, recipe_id): the
-- user's favorites, each joined to its recipe by recipes_pkey, then sorted: a page costs the
-- user's favorites, not all their recipes. Run with a custom plan, after use_custom_plans.
SELECT r.id, r.name, r.description, r.cuisine_type, r.difficulty, r.prep_time, r.cook_time,
       r.total_time, r.servings, r.calories_per_serving, r.protein_per_serving,
       r.carbs_per_serving, r.fat_per_serving, r.confidence_score, r.image_url, r.recipe_json,
       r.tags, r.favorite, r.created_at, r.updated_at, r.version
FROM users AS u
LEFT JOIN (
    SELECT d.id, d.name, d.description, d.cuisine_type, d.difficulty, d.prep_time, d.cook_time,
           d.total_time, d.servings, d.calories_per_serving, d.protein_per_serving,
           d.carbs_per_serving, d.fat_per_serving, d.confidence_score, d.image_url, d.recipe_json,
           d.tags, true AS favorite, d.created_at, d.updated_at, d.version
    FROM favorite_recipes AS f
    JOIN recipe_details AS d ON d.user_id = f.user_id AND d.id = f.recipe_id
    WHERE f.user_id = :'user_id'
      AND (d.created_at, d.id) < (:'after_created_at'::timestamptz, :'after_id'::bigint)
      AND (:'tag'::text IS NULL OR d.id = ANY (ARRAY(
              SELECT rt.recipe_id
              FROM recipe_tags AS rt
              JOIN tags AS t ON t.id = rt.tag_id
              WHERE rt.user_id = :'user_id'
                AND t.name = :'tag')))
      AND (:'ingredient'::text IS NULL
           OR d.ingredient_names @> jsonb_build_array(lower(:'ingredient'::text)))
      AND (:'cuisine'::text IS NULL OR lower(d.cuisine_type) = lower(:'cuisine'))
      AND (:'difficulty'::text IS NULL OR d.difficulty = :'difficulty')
      AND (:'max_calories'::double precision IS NULL OR d.calories_per_serving <= :'max_calories')
      AND (:'max_total_time'::integer IS NULL OR d.total_time <= :'max_total_time')
      AND (:'q'::text IS NULL
           OR d.name ILIKE
              '%' || replace(replace(replace(:'q', '\', '\\'), '%', '\%'), '_', '\_') || '%')
    ORDER BY d.created_at DESC, d.id DESC
    LIMIT :'limit'
) AS r ON true
WHERE u.id = :'user_id'
  AND u.is_active
ORDER BY r.created_at DESC, r.id DESC;
