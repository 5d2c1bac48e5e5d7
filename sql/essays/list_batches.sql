-- list_batches: a page of an active user's batches, newest first, strictly after the keyset
-- position (after_created_at, after_id); the first page passes 'infinity' and 0. No row when the
-- user is gone or deactivated, one row of NULLs when the page is empty. The outer ORDER BY sorts
-- only the page's rows (a join promises no order). Each with its counts per status (one
-- index-only scan of essays_user_batch_status_idx per batch of the page). Served by users_pkey (id)
-- and batches_user_created_idx (user_id, created_at DESC, id DESC).
SELECT b.id, b.name, b.total, b.pending, b.processing, b.completed, b.failed,
       b.created_at, b.updated_at, b.version
FROM users AS u
LEFT JOIN (
    SELECT p.id, p.name, c.total, c.pending, c.processing, c.completed, c.failed,
           p.created_at, p.updated_at, p.version
    FROM batches AS p
    CROSS JOIN LATERAL (
        SELECT count(e.id) AS total,
               count(e.id) FILTER (WHERE e.status = 'pending') AS pending,
               count(e.id) FILTER (WHERE e.status = 'processing') AS processing,
               count(e.id) FILTER (WHERE e.status = 'completed') AS completed,
               count(e.id) FILTER (WHERE e.status = 'failed') AS failed
        FROM essays AS e
        WHERE e.user_id = p.user_id
          AND e.batch_id = p.id
    ) AS c
    WHERE p.user_id = :'user_id'
      AND (p.created_at, p.id) < (:'after_created_at'::timestamptz, :'after_id'::bigint)
    ORDER BY p.created_at DESC, p.id DESC
    LIMIT :'limit'
) AS b ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
ORDER BY b.created_at DESC, b.id DESC;
