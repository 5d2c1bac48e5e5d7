-- list_tags: a page of the tags the user's recipes carry, with how many of them carry each, by
-- name, strictly after after_name (the first page passes ''); tags only other users use are not
-- shown. No row when the account is gone or deactivated; one row of NULLs for an empty page.
-- Served by users_pkey, recipe_tags_user_tag_idx (user_id, tag_id) and tags_pkey.
SELECT g.name, g.recipe_count
FROM users AS u
LEFT JOIN (
    SELECT t.name, count(*) AS recipe_count
    FROM recipe_tags AS rt
    JOIN tags AS t ON t.id = rt.tag_id
    WHERE rt.user_id = :'user_id'
      AND t.name > :'after_name'::text
    GROUP BY t.name
    ORDER BY t.name
    LIMIT :'limit'
) AS g ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY g.name;
