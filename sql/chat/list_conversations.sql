-- list_conversations: a page of a user's conversations, newest activity (updated_at) first, strictly
-- after the keyset position (after_updated_at, after_id); the first page passes 'infinity' and 0.
-- Each row carries its message count and last message: one probe of
-- messages_user_conversation_created_idx per row of the page, no N+1 round trips.
-- Served by conversations_user_updated_idx (user_id, updated_at DESC, id DESC).
SELECT c.id, c.title, c.message_count, c.created_at, c.updated_at, c.version,
       m.id AS last_message_id, m.role AS last_message_role,
       m.content AS last_message_content, m.created_at AS last_message_created_at
FROM conversations AS c
LEFT JOIN LATERAL (
    SELECT lm.id, lm.role, lm.content, lm.created_at
    FROM messages AS lm
    WHERE lm.user_id = c.user_id
      AND lm.conversation_id = c.id
    ORDER BY lm.created_at DESC, lm.id DESC
    LIMIT 1
) AS m ON true
WHERE c.user_id = :'user_id'
  AND (c.updated_at, c.id) < (:'after_updated_at'::timestamptz, :'after_id'::bigint)
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
ORDER BY c.updated_at DESC, c.id DESC
LIMIT :'limit';
