-- get_task: one task of one active user, or no row.
-- Served by tasks_pkey (user_id, id) and users_pkey (id).
SELECT t.id, t.title, t.description, t.completed, t.created_at, t.updated_at, t.version
FROM tasks AS t
JOIN users AS u ON u.id = t.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE t.user_id = :'user_id'
  AND t.id = :'task_id';
