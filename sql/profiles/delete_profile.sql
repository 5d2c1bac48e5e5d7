-- delete_profile: remove an active user's profile (with if_match, only at one of those versions);
-- touches one row or none. Days already started keep their targets; later days have none.
-- Served by profiles_pkey (user_id) and users_pkey (id).
DELETE FROM profiles AS p
USING users AS u
WHERE p.user_id = :'user_id'
  AND (:'if_match'::bigint[] IS NULL OR p.version = ANY (:'if_match'::bigint[]))
  AND u.id = p.user_id
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
