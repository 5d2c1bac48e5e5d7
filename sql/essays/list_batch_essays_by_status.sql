-- list_batch_essays_by_status: like list_batch_essays (no row when the user is gone, one row of
-- NULLs for an empty page), only the essays in one status. Served by users_pkey (id) and
-- essays_user_batch_status_idx (user_id, batch_id, status, id).
SELECT e.id, e.batch_id, e.content_id, e.language, e.text, e.metadata, e.status, e.created_at,
       e.updated_at, e.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.batch_id, p.content_id, p.language, p.text, p.metadata, p.status, p.created_at,
           p.updated_at, p.version
    FROM essays AS p
    WHERE p.user_id = :'user_id'
      AND p.batch_id = :'batch_id'
      AND p.status = :'status'
      AND p.id > :'after_id'::bigint
    ORDER BY p.id
    LIMIT :'limit'
) AS e ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY e.id;
