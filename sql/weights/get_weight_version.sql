-- get_weight_version: the current version of one weigh-in, after a conditional write changed
-- nothing, to tell "not found" (no row) from "stale If-Match" (412 with this version as the
-- ETag). Served by weight_logs_pkey (user_id, id) and users_pkey (id).
SELECT w.version
FROM weight_logs AS w
JOIN users AS u ON u.id = w.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE w.user_id = :'user_id'
  AND w.id = :'weight_id';
