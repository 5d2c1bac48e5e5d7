-- get_profile_version: the current version of an active user's profile, after a conditional
-- write changed nothing, to tell "no profile" (no row) from "stale If-Match" (412 with this
-- version as the ETag). Served by profiles_pkey (user_id) and users_pkey (id).
SELECT p.version
FROM profiles AS p
JOIN users AS u ON u.id = p.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE p.user_id = :'user_id';
