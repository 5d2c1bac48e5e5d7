-- get_conversation_version: the current version of a conversation, to tell "changed" (412) from
-- "missing" (404) after a conditional write touched nothing, and an empty conversation from a missing
-- one. Served by conversations_pkey (user_id, id) and users_pkey (id).
SELECT c.version
FROM conversations AS c
JOIN users AS u ON u.id = c.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE c.user_id = :'user_id'
  AND c.id = :'conversation_id';
