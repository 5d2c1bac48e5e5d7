-- get_essay: one essay. Served by essays_pkey (user_id, id) and users_pkey (id).
SELECT e.id, e.batch_id, e.content_id, e.language, e.text, e.metadata, e.status, e.created_at,
       e.updated_at, e.version
FROM essays AS e
JOIN users AS u ON u.id = e.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE e.user_id = :'user_id'
  AND e.id = :'essay_id';
