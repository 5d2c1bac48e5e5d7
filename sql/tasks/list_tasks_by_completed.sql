-- list_tasks_by_completed: like list_tasks, only completed or only pending tasks.
-- Served by tasks_user_completed_created_idx (user_id, completed, created_at DESC, id DESC).
SELECT t.id, t.title, t.description, t.completed, t.created_at, t.updated_at, t.version
FROM tasks AS t
WHERE t.user_id = :'user_id'
  AND t.completed = :'completed'::boolean
  AND (t.created_at, t.id) < (:'after_created_at'::timestamptz, :'after_id'::bigint)
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
ORDER BY t.created_at DESC, t.id DESC
LIMIT :'limit';
