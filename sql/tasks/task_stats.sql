-- task_stats: how many tasks an active user has, completed and pending; no row when the user is
-- gone or deactivated. Served by users_pkey (id) and an index-only scan of
-- tasks_user_completed_created_idx (user_id, completed, ...) once the table has been vacuumed
-- (autovacuum keeps the visibility map current).
SELECT s.total, s.completed, s.pending
FROM users AS u
CROSS JOIN (
    SELECT count(*) AS total,
           count(*) FILTER (WHERE t.completed) AS completed,
           count(*) FILTER (WHERE NOT t.completed) AS pending
    FROM tasks AS t
    WHERE t.user_id = :'user_id'
) AS s
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
