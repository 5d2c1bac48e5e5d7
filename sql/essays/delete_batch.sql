-- delete_batch: delete a batch (its essays go by essays_batch_fkey's cascade); with if_match, only
-- at one of those versions. Touches one row or none. Served by batches_pkey and users_pkey.
DELETE FROM batches AS b
USING users AS u
WHERE b.user_id = :'user_id'
  AND b.id = :'batch_id'
  AND (:'if_match'::bigint[] IS NULL OR b.version = ANY (:'if_match'::bigint[]))
  AND u.id = b.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
