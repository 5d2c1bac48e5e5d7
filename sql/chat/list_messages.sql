-- list_messages: a page of a conversation's messages, newest first, strictly before the keyset
-- position (before_created_at, before_id); the newest page passes 'infinity' and 0. The caller
-- shows each page oldest-to-newest. No row when the user is gone or deactivated, one row of NULLs
-- when the page is empty (or the conversation missing). The outer ORDER BY sorts only the page's
-- rows (a join promises no order). Served by users_pkey (id) and
-- messages_user_conversation_created_idx (user_id, conversation_id, created_at DESC, id DESC).
SELECT m.id, m.conversation_id, m.role, m.content, m.created_at
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.conversation_id, p.role, p.content, p.created_at
    FROM messages AS p
    WHERE p.user_id = :'user_id'
      AND p.conversation_id = :'conversation_id'
      AND (p.created_at, p.id) < (:'before_created_at'::timestamptz, :'before_id'::bigint)
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT :'limit'
) AS m ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY m.created_at DESC, m.id DESC;
