-- list_conversations: a page of an active user's conversations, newest activity (updated_at)
-- first, strictly after the keyset position (after_updated_at, after_id); the first page passes
-- 'infinity' and 0. No row when the user is gone or deactivated, one row of NULLs when the page is
-- empty. The outer ORDER BY sorts only the page's rows (a join promises no order). Each row
-- carries its message count and last message: one probe of messages_user_conversation_created_idx
-- per row of the page, no N+1 round trips. Served by users_pkey (id) and
-- conversations_user_updated_idx (user_id, updated_at DESC, id DESC).
SELECT c.id, c.title, c.message_count, c.created_at, c.updated_at, c.version,
       c.last_message_id, c.last_message_role, c.last_message_content, c.last_message_created_at
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.title, p.message_count, p.created_at, p.updated_at, p.version,
           m.id AS last_message_id, m.role AS last_message_role,
           m.content AS last_message_content, m.created_at AS last_message_created_at
    FROM conversations AS p
    LEFT JOIN LATERAL (
        SELECT lm.id, lm.role, lm.content, lm.created_at
        FROM messages AS lm
        WHERE lm.user_id = p.user_id
          AND lm.conversation_id = p.id
        ORDER BY lm.created_at DESC, lm.id DESC
        LIMIT 1
    ) AS m ON true
    WHERE p.user_id = :'user_id'
      AND (p.updated_at, p.id) < (:'after_updated_at'::timestamptz, :'after_id'::bigint)
    ORDER BY p.updated_at DESC, p.id DESC
    LIMIT :'limit'
) AS c ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY c.updated_at DESC, c.id DESC;
