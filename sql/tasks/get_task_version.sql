-- get_task_version: the current version of one task, after a conditional write changed nothing,
-- to tell "not found" (no row) from "stale If-Match" (412 with this version as the ETag).
-- Served by tasks_pkey (user_id, id) and users_pkey (id).
SELECT t.version
FROM tasks AS t
JOIN users AS u ON u.id = t.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE t.user_id = :'user_id'
  AND t.id = :'task_id';
