-- get_batch_version: the current version of a batch, to tell "changed" (412) from "missing" (404),
-- and an empty page or claim from a missing batch. Served by batches_pkey and users_pkey.
SELECT b.version
FROM batches AS b
JOIN users AS u ON u.id = b.user_id AND u.is_active
    AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
WHERE b.user_id = :'user_id'
  AND b.id = :'batch_id';
