-- list_recipes_by_calories: a page of a user's recipes matching every filter that is not NULL,
-- fewest calories per serving first (unknown last), after the keyset position (after_calories,
-- after_id; the first page passes '-Infinity' and 0). No row when the account is gone or
-- deactivated; one row of NULLs for an empty page. Served by users_pkey and
-- recipes_user_calories_idx (user_id, coalesce(calories_per_serving, 'Infinity'), id); with a
-- custom plan (after use_custom_plans, as the repository runs searches): ?q= by
-- recipes_user_name_trgm_idx, ?ingredient= by recipes_user_ingredients_idx, ?tag= by
-- recipe_tags_user_tag_idx and recipes_pkey. ?favorite=true: list_favorite_recipes_by_calories.
SELECT r.id, r.name, r.description, r.cuisine_type, r.difficulty, r.prep_time, r.cook_time,
       r.total_time, r.servings, r.calories_per_serving, r.protein_per_serving,
       r.carbs_per_serving, r.fat_per_serving, r.confidence_score, r.image_url, r.recipe_json,
       r.tags, r.favorite, r.created_at, r.updated_at, r.version
FROM users AS u
LEFT JOIN (
    SELECT d.id, d.name, d.description, d.cuisine_type, d.difficulty, d.prep_time, d.cook_time,
           d.total_time, d.servings, d.calories_per_serving, d.protein_per_serving,
           d.carbs_per_serving, d.fat_per_serving, d.confidence_score, d.image_url, d.recipe_json,
           d.tags, d.favorite, d.created_at, d.updated_at, d.version
    FROM recipe_details AS d
    WHERE d.user_id = :'user_id'
      AND (coalesce(d.calories_per_serving, 'Infinity'::double precision), d.id)
          > (:'after_calories'::double precision, :'after_id'::bigint)
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
      AND (:'favorite'::boolean IS NULL OR d.favorite = :'favorite')
    ORDER BY coalesce(d.calories_per_serving, 'Infinity'::double precision), d.id
    LIMIT :'limit'
) AS r ON true
WHERE u.id = :'user_id'
  AND u.is_active
ORDER BY coalesce(r.calories_per_serving, 'Infinity'::double precision), r.id;
