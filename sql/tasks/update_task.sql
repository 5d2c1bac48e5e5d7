-- update_task: change the fields that were sent; a NULL title or completed keeps the current value,
-- description is replaced (even by NULL) only when description_sent. With if_match (a list of
-- versions, from If-Match), only a task at one of those versions changes. Returns the task, or no
-- row. Served by tasks_pkey (user_id, id) and users_pkey (id).
UPDATE tasks AS t
SET title = coalesce(:'title'::text, t.title),
    description = CASE WHEN :'description_sent'::boolean THEN :'description'::text
                       ELSE t.description END,
    completed = coalesce(:'completed'::boolean, t.completed)
FROM users AS u
WHERE t.user_id = :'user_id'
  AND t.id = :'task_id'
  AND (:'if_match'::bigint[] IS NULL OR t.version = ANY (:'if_match'::bigint[]))
  AND u.id = t.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING t.id, t.title, t.description, t.completed, t.created_at, t.updated_at, t.version;
