-- update_essay_status: move an essay to a new status, only along the pipeline's edges
-- (pending -> processing -> completed | failed, failed -> pending), and replace its metadata when
-- metadata_sent. The edge is checked against the row being updated, so of two racing writers only
-- one can make a move. With if_match, only at one of those versions. Returns the essay, or no row
-- (missing, stale, or an illegal move). Served by essays_pkey (user_id, id) and users_pkey (id).
UPDATE essays AS e
SET status = :'status'::text,
    metadata = CASE WHEN :'metadata_sent'::boolean THEN :'metadata'::jsonb ELSE e.metadata END
FROM users AS u
WHERE e.user_id = :'user_id'
  AND e.id = :'essay_id'
  AND (e.status, :'status'::text) IN (VALUES ('pending', 'processing'), ('processing', 'completed'),
                                             ('processing', 'failed'), ('failed', 'pending'))
  AND (:'if_match'::bigint[] IS NULL OR e.version = ANY (:'if_match'::bigint[]))
  AND u.id = e.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
RETURNING e.id, e.batch_id, e.content_id, e.language, e.text, e.metadata, e.status, e.created_at,
          e.updated_at, e.version;
