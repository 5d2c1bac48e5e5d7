-- find_content_ids: which of these content_ids an active user's essays already use (to name them
-- after create_batch failed on essays_user_content_id_key). Served by essays_user_content_id_key
-- and users_pkey (id).
SELECT e.content_id
FROM essays AS e
JOIN users AS u ON u.id = e.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE e.user_id = :'user_id'
  AND e.content_id = ANY (:'content_ids'::text[])
ORDER BY e.content_id;
