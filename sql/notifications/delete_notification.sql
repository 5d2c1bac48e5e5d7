-- delete_notification: remove one notification of an active user (with if_match, only at one of
-- those versions); touches one row or none. Served by notifications_pkey (user_id, id) and
-- users_pkey (id).
DELETE FROM notifications AS n
USING users AS u
WHERE n.user_id = :'user_id'
  AND n.id = :'notification_id'
  AND (:'if_match'::bigint[] IS NULL OR n.version = ANY (:'if_match'::bigint[]))
  AND u.id = n.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
