-- delete_conversation: delete a conversation (its messages go by messages_conversation_fkey's
-- cascade); with if_match, only at one of those versions. Touches one row or none.
-- Served by conversations_pkey (user_id, id) and users_pkey (id).
DELETE FROM conversations AS c
USING users AS u
WHERE c.user_id = :'user_id'
  AND c.id = :'conversation_id'
  AND (:'if_match'::bigint[] IS NULL OR c.version = ANY (:'if_match'::bigint[]))
  AND u.id = c.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
