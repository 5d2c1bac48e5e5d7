-- list_batch_essays_by_status: a page of a batch's essays in one status, by id, strictly after
-- after_id (the first page passes 0).
-- Served by essays_user_batch_status_idx (user_id, batch_id, status, id).
SELECT e.id, e.batch_id, e.content_id, e.language, e.text, e.metadata, e.status, e.created_at,
       e.updated_at, e.version
FROM essays AS e
WHERE e.user_id = :'user_id'
  AND e.batch_id = :'batch_id'
  AND e.status = :'status'
  AND e.id > :'after_id'::bigint
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
ORDER BY e.id
LIMIT :'limit';
