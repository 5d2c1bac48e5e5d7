-- delete_task: remove one task of one active user (with if_match, only at one of those versions);
-- touches one row or none. Served by tasks_pkey (user_id, id) and users_pkey (id).
DELETE FROM tasks AS t
USING users AS u
WHERE t.user_id = :'user_id'
  AND t.id = :'task_id'
  AND (:'if_match'::bigint[] IS NULL OR t.version = ANY (:'if_match'::bigint[]))
  AND u.id = t.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
