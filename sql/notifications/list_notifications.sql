-- list_notifications: a page of an active user's notifications, newest first, strictly before the
-- keyset position after_id (the first page passes the largest bigint), each row with the user's
-- unread count, counted in the same statement. No row when the user is gone or deactivated; when
-- the page is empty, one row of NULLs but for the count. Served by users_pkey (id),
-- notifications_pkey (user_id, id) for the page and notifications_user_read_idx (user_id, is_read,
-- id) for the count.
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
      AND p.id < :'after_id'::bigint
    ORDER BY p.id DESC
    LIMIT :'limit'
) AS n ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY n.id DESC;
