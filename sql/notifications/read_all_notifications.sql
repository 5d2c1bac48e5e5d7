-- read_all_notifications: mark every unread notification of an active user as read, or with
-- before only those up to and including that id; returns how many it marked and how many stay
-- unread (those after before), or no row when the user is gone or deactivated. The count reads
-- the statement's snapshot, as the marking does: a notification created meanwhile is in neither.
-- Served by users_pkey (id) and notifications_user_read_idx (user_id, is_read, id).
WITH marked AS (
    UPDATE notifications AS n
    SET is_read = true
    FROM users AS u
    WHERE n.user_id = :'user_id'
      AND NOT n.is_read
      AND (:'before'::bigint IS NULL OR n.id <= :'before'::bigint)
      AND u.id = n.user_id
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING n.id
)
SELECT (SELECT count(*) FROM marked) AS marked,
       (SELECT count(*)
        FROM notifications AS r
        WHERE r.user_id = u.id
          AND NOT r.is_read
          AND r.id > coalesce(:'before'::bigint, 9223372036854775807)) AS unread_count
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
