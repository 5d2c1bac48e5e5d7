-- list_batch_essays: a page of a batch's essays in the order they were sent (by id), strictly after
-- after_id (the first page passes 0). No row when the user is gone or deactivated, one row of NULLs
-- when the page is empty (or the batch missing). The outer ORDER BY sorts only the page's rows (a
-- join promises no order). Served by users_pkey (id) and essays_user_batch_idx
-- (user_id, batch_id, id).
SELECT e.id, e.batch_id, e.content_id, e.language, e.text, e.metadata, e.status, e.created_at,
       e.updated_at, e.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.batch_id, p.content_id, p.language, p.text, p.metadata, p.status, p.created_at,
           p.updated_at, p.version
    FROM essays AS p
    WHERE p.user_id = :'user_id'
      AND p.batch_id = :'batch_id'
      AND p.id > :'after_id'::bigint
    ORDER BY p.id
    LIMIT :'limit'
) AS e ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY e.id;
