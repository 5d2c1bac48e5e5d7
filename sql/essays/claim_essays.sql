-- claim_essays: move up to limit of a batch's pending essays (oldest first) to processing and
-- return them. FOR UPDATE SKIP LOCKED: concurrent claimers take different essays without waiting
-- on each other, and an essay another claimer has just moved is re-checked and left out, so no
-- essay is claimed twice. The pick is a CTE, run once: a subquery in FROM can be planned as the
-- inner side of a join and run again for each row, and each run would lock (and claim) the next
-- pending essays past the ones this statement already moved, beyond limit.
-- Served by essays_user_batch_status_idx (user_id, batch_id, status, id).
WITH picked AS MATERIALIZED (
    SELECT p.user_id, p.id
    FROM essays AS p
    WHERE p.user_id = :'user_id'
      AND p.batch_id = :'batch_id'
      AND p.status = 'pending'
      AND EXISTS (SELECT FROM users AS u WHERE u.id = :'user_id' AND u.is_active)
      AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
    ORDER BY p.id
    LIMIT :'limit'
    FOR UPDATE OF p SKIP LOCKED
)
UPDATE essays AS e
SET status = 'processing'
FROM picked
WHERE e.user_id = picked.user_id
  AND e.id = picked.id
RETURNING e.id, e.batch_id, e.content_id, e.language, e.text, e.metadata, e.status, e.created_at,
          e.updated_at, e.version;
