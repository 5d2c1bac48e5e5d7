-- find_content_ids: which of these content_ids the user's essays already use (to name them after
-- create_batch failed on essays_user_content_id_key). Served by essays_user_content_id_key.
SELECT e.content_id
FROM essays AS e
WHERE e.user_id = :'user_id'
  AND e.content_id = ANY (:'content_ids'::text[])
ORDER BY e.content_id;
