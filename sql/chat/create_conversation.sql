-- create_conversation: a new, empty conversation for an active user; no row when the user is gone
-- or deactivated. Served by users_pkey (id) for the owner check.
INSERT INTO conversations (user_id, title)
SELECT u.id, :'title'::text
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING id, title, message_count, created_at, updated_at, version,
          NULL::bigint AS last_message_id, NULL::text AS last_message_role,
          NULL::text AS last_message_content, NULL::timestamptz AS last_message_created_at;
