-- get_food_log_version: the current version of one food log, after a conditional write changed
-- nothing, to tell "not found" (no row) from "stale If-Match" (412 with this version as the
-- ETag). Served by food_logs_pkey (user_id, id) and users_pkey (id).
SELECT f.version
FROM food_logs AS f
JOIN users AS u ON u.id = f.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE f.user_id = :'user_id'
  AND f.id = :'food_log_id';
