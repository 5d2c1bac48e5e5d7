-- list_notifications_by_read: list_notifications, only the read (is_read true) or only the unread
-- ones. Served by users_pkey (id) and notifications_user_read_idx (user_id, is_read, id) for
-- the count, and for the page when the rows asked for are few among the user's (unread ones,
-- usually); when they are most of them, notifications_pkey (user_id, id) skipping the others does
-- as well, and the planner may take it.
SELECT n.id, n.kind, n.title, n.body, n.data, n.is_read, n.created_at, n.updated_at, n.version,
       c.unread_count
FROM users AS u
CROSS JOIN LATERAL (
    SELECT count(*) AS unread_count
    FROM notifications AS r
    WHERE r.user_id = u.id
      AND NOT r.is_read
) AS c
LEFT JOIN (
    SELECT p.id, p.kind, p.title, p.body, p.data, p.is_read, p.created_at, p.updated_at, p.version
    FROM notifications AS p
    WHERE p.user_id = :'user_id'
      AND p.is_read = :'is_read'::boolean
      AND p.id < :'after_id'::bigint
    ORDER BY p.id DESC
    LIMIT :'limit'
) AS n ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY n.id DESC;
