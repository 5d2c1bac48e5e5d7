-- get_goal_version: the current version of one goal, after a conditional write changed nothing,
-- to tell "not found" (no row) from "stale If-Match" (412 with this version as the ETag).
-- Served by goals_pkey (user_id, id) and users_pkey (id).
SELECT g.version
FROM goals AS g
JOIN users AS u ON u.id = g.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE g.user_id = :'user_id'
  AND g.id = :'goal_id';
