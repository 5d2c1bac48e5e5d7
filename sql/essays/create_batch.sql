-- create_batch: a batch and all its essays (pending) in one statement, for an active user: the
-- essays come as parallel arrays, in order. A content_id the user already has fails the whole
-- statement on essays_user_content_id_key, so nothing is written. Returns the batch with its
-- counts, or no row when the user is gone or deactivated. Served by users_pkey (owner check).
WITH batch AS (
    INSERT INTO batches (user_id, name)
    SELECT u.id, :'name'::text
    FROM users AS u
    WHERE u.id = :'user_id'
      AND u.is_active
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    RETURNING user_id, id, name, created_at, updated_at, version
),
inserted AS (
    INSERT INTO essays (user_id, batch_id, content_id, language, text, metadata)
    SELECT b.user_id, b.id, e.content_id, e.language, e.text, e.metadata
    FROM batch AS b,
         unnest(:'content_ids'::text[], :'languages'::text[], :'texts'::text[],
                :'metadatas'::jsonb[]) WITH ORDINALITY AS e (content_id, language, text, metadata, n)
    ORDER BY e.n
    RETURNING 1
)
SELECT b.id, b.name, c.total, c.total AS pending, 0::bigint AS processing,
       0::bigint AS completed, 0::bigint AS failed, b.created_at, b.updated_at, b.version
FROM batch AS b,
     (SELECT count(*) AS total FROM inserted) AS c;
