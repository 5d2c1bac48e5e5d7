-- delete_weight: remove one weigh-in of an active user (with if_match, only at one of those
-- versions); weight_logs_sync_profile gives the profile the weight of the latest one left in
-- this statement's transaction. Touches one row or none. Served by weight_logs_pkey (user_id, id)
-- and users_pkey (id).
DELETE FROM weight_logs AS w
USING users AS u
WHERE w.user_id = :'user_id'
  AND w.id = :'weight_id'
  AND (:'if_match'::bigint[] IS NULL OR w.version = ANY (:'if_match'::bigint[]))
  AND u.id = w.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
