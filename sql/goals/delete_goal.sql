-- delete_goal: remove one goal of an active user (with if_match, only at one of those versions);
-- touches one row or none. Served by goals_pkey (user_id, id) and users_pkey (id).
DELETE FROM goals AS g
USING users AS u
WHERE g.user_id = :'user_id'
  AND g.id = :'goal_id'
  AND (:'if_match'::bigint[] IS NULL OR g.version = ANY (:'if_match'::bigint[]))
  AND u.id = g.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
