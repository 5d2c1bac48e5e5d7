-- list_batches: a page of a user's batches, newest first, strictly after the keyset position
-- (after_created_at, after_id); the first page passes 'infinity' and 0. Each with its counts per
-- status (one index-only scan of essays_user_batch_status_idx per batch of the page).
-- Served by batches_user_created_idx (user_id, created_at DESC, id DESC).
SELECT b.id, b.name, c.total, c.pending, c.processing, c.completed, c.failed,
       b.created_at, b.updated_at, b.version
FROM batches AS b
CROSS JOIN LATERAL (
    SELECT count(e.id) AS total,
       count(e.id) FILTER (WHERE e.status = 'pending') AS pending,
       count(e.id) FILTER (WHERE e.status = 'processing') AS processing,
       count(e.id) FILTER (WHERE e.status = 'completed') AS completed,
       count(e.id) FILTER (WHERE e.status = 'failed') AS failed
    FROM essays AS e
    WHERE e.user_id = b.user_id
      AND e.batch_id = b.id
) AS c
WHERE b.user_id = :'user_id'
  AND (b.created_at, b.id) < (:'after_created_at'::timestamptz, :'after_id'::bigint)
  AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
ORDER BY b.created_at DESC, b.id DESC
LIMIT :'limit';
