-- create_message: add a message to a conversation of an active user and, in the same statement (so
-- the same transaction), count it and move the conversation's updated_at, not its version
-- (touch_conversation). No row when the conversation does not exist, is someone else's, or the
-- user is gone: then nothing is written.
-- Served by conversations_pkey (user_id, id) and users_pkey (id).
WITH conversation AS (
    UPDATE conversations AS c
    SET message_count = c.message_count + 1
    FROM users AS u
    WHERE c.user_id = :'user_id'
      AND c.id = :'conversation_id'
      AND u.id = c.user_id
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING c.user_id, c.id
)
INSERT INTO messages (user_id, conversation_id, role, content)
SELECT c.user_id, c.id, :'role'::text, :'content'::text
FROM conversation AS c
RETURNING id, conversation_id, role, content, created_at;
