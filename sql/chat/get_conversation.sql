-- get_conversation: one conversation with its message count and last message (NULLs when it has
-- none). Served by conversations_pkey (user_id, id) and, for the last message,
-- messages_user_conversation_created_idx.
SELECT c.id, c.title, c.message_count, c.created_at, c.updated_at, c.version,
       m.id AS last_message_id, m.role AS last_message_role,
       m.content AS last_message_content, m.created_at AS last_message_created_at
FROM conversations AS c
JOIN users AS u ON u.id = c.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
LEFT JOIN LATERAL (
    SELECT lm.id, lm.role, lm.content, lm.created_at
    FROM messages AS lm
    WHERE lm.user_id = c.user_id
      AND lm.conversation_id = c.id
    ORDER BY lm.created_at DESC, lm.id DESC
    LIMIT 1
) AS m ON true
WHERE c.user_id = :'user_id'
  AND c.id = :'conversation_id';
