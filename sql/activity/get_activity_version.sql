-- get_activity_version: the current version of one activity, after a conditional write changed
-- nothing, to tell "not found" (no row) from "stale If-Match" (412 with this version as the
-- ETag). Served by activity_logs_pkey (user_id, id) and users_pkey (id).
SELECT a.version
FROM activity_logs AS a
JOIN users AS u ON u.id = a.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE a.user_id = :'user_id'
  AND a.id = :'activity_id';
