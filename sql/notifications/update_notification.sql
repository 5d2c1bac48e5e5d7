-- update_notification: mark one notification of an active user read or unread (with if_match,
-- only at one of those versions); returns it, or no row. Served by notifications_pkey (user_id, id)
-- and users_pkey (id).
UPDATE notifications AS n
SET is_read = :'is_read'::boolean
FROM users AS u
WHERE n.user_id = :'user_id'
  AND n.id = :'notification_id'
  AND (:'if_match'::bigint[] IS NULL OR n.version = ANY (:'if_match'::bigint[]))
  AND u.id = n.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING n.id, n.kind, n.title, n.body, n.data, n.is_read, n.created_at, n.updated_at, n.version;
