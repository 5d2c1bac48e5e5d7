-- list_messages: a page of a conversation's messages, newest first, strictly before the keyset
-- position (before_created_at, before_id); the newest page passes 'infinity' and 0. The caller
-- shows each page oldest-to-newest. Served by messages_user_conversation_created_idx
-- (user_id, conversation_id, created_at DESC, id DESC).
SELECT m.id, m.conversation_id, m.role, m.content, m.created_at
FROM messages AS m
WHERE m.user_id = :'user_id'
  AND m.conversation_id = :'conversation_id'
  AND (m.created_at, m.id) < (:'before_created_at'::timestamptz, :'before_id'::bigint)
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
ORDER BY m.created_at DESC, m.id DESC
LIMIT :'limit';
