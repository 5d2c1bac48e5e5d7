-- get_notification_version: the version of one notification of an active user, or no row (for a
-- 412's current ETag). Served by notifications_pkey (user_id, id) and users_pkey (id).
SELECT n.version
FROM notifications AS n
JOIN users AS u ON u.id = n.user_id
WHERE n.user_id = :'user_id'
  AND n.id = :'notification_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
