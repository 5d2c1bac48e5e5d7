-- get_batch: one batch with how many of its essays are in each status. Served by batches_pkey
-- (user_id, id), users_pkey, and essays_user_batch_status_idx for the counts (index-only).
SELECT b.id, b.name, count(e.id) AS total,
       count(e.id) FILTER (WHERE e.status = 'pending') AS pending,
       count(e.id) FILTER (WHERE e.status = 'processing') AS processing,
       count(e.id) FILTER (WHERE e.status = 'completed') AS completed,
       count(e.id) FILTER (WHERE e.status = 'failed') AS failed,
       b.created_at, b.updated_at, b.version
FROM batches AS b
JOIN users AS u ON u.id = b.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
LEFT JOIN essays AS e ON e.user_id = b.user_id AND e.batch_id = b.id
WHERE b.user_id = :'user_id'
  AND b.id = :'batch_id'
GROUP BY b.user_id, b.id;
