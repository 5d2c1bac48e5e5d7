-- create_task: insert a task for an active user; no row when the user is gone or deactivated.
-- Served by users_pkey (id) for the owner check.
INSERT INTO tasks (user_id, title, description)
SELECT u.id, :'title'::text, :'description'::text
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING id, title, description, completed, created_at, updated_at, version;
