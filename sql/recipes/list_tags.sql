-- list_tags: a page of the tags the user's recipes carry, with how many of them carry each, by
-- name, strictly after after_name (the first page passes ''). Tags only other users use are not
-- shown. Served by recipe_tags_user_tag_idx (user_id, tag_id) and tags_pkey.
SELECT t.name, count(*) AS recipe_count
FROM recipe_tags AS rt
JOIN tags AS t ON t.id = rt.tag_id
WHERE rt.user_id = :'user_id'
  AND t.name > :'after_name'::text
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
GROUP BY t.name
ORDER BY t.name
LIMIT :'limit';
