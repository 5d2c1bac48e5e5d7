-- task_stats: how many tasks a user has, completed and pending.
-- Served by an index-only scan of tasks_user_completed_created_idx (user_id, completed, ...) once
-- the table has been vacuumed (autovacuum keeps the visibility map current).
SELECT count(*) AS total,
       count(*) FILTER (WHERE t.completed) AS completed,
       count(*) FILTER (WHERE NOT t.completed) AS pending
FROM tasks AS t
WHERE t.user_id = :'user_id'
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active);
