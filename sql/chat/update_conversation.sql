-- update_conversation: when title_sent, set the title (NULL clears it); otherwise change nothing
-- (a title set to what it was changes nothing either: touch_conversation). With if_match (a list
-- of versions, from If-Match), only a conversation at one of those versions changes. Returns the
-- conversation with its last message, or no row. The last message is read from the statement's
-- snapshot: when a message was added after that was taken (this UPDATE then waited for the
-- conversation's lock and changed the newer row, whose message_count the snapshot does not have),
-- it can be stale, and read_current is false: the caller reads the conversation again. Served by conversations_pkey (user_id, id) and users_pkey (id).
WITH changed AS (
    UPDATE conversations AS c
    SET title = CASE WHEN :'title_sent'::boolean THEN :'title'::text ELSE c.title END
    FROM users AS u
    WHERE c.user_id = :'user_id'
      AND c.id = :'conversation_id'
      AND (:'if_match'::bigint[] IS NULL OR c.version = ANY (:'if_match'::bigint[]))
      AND u.id = c.user_id
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING c.user_id, c.id, c.title, c.message_count, c.created_at, c.updated_at, c.version
)
SELECT c.id, c.title, c.message_count, c.created_at, c.updated_at, c.version,
       m.id AS last_message_id, m.role AS last_message_role,
       m.content AS last_message_content, m.created_at AS last_message_created_at,
       c.message_count = (SELECT s.message_count FROM conversations AS s
                          WHERE s.user_id = c.user_id AND s.id = c.id) AS read_current
FROM changed AS c
LEFT JOIN LATERAL (
    SELECT lm.id, lm.role, lm.content, lm.created_at
    FROM messages AS lm
    WHERE lm.user_id = c.user_id
      AND lm.conversation_id = c.id
    ORDER BY lm.created_at DESC, lm.id DESC
    LIMIT 1
) AS m ON true;
