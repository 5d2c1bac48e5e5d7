-- list_tasks: a page of an active user's tasks, newest first, strictly after the keyset position
-- (after_created_at, after_id); the first page passes 'infinity' and 0. No row when the user is
-- gone or deactivated, one row of NULLs when the page is empty. The outer ORDER BY sorts only the
-- page's rows (a join promises no order). Served by users_pkey (id) and tasks_user_created_idx
-- (user_id, created_at DESC, id DESC).
SELECT t.id, t.title, t.description, t.completed, t.created_at, t.updated_at, t.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.title, p.description, p.completed, p.created_at, p.updated_at, p.version
    FROM tasks AS p
    WHERE p.user_id = :'user_id'
      AND (p.created_at, p.id) < (:'after_created_at'::timestamptz, :'after_id'::bigint)
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT :'limit'
) AS t ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY t.created_at DESC, t.id DESC;
