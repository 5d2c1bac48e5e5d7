-- delete_user: remove an account (with if_match, only at one of those versions); every row the
-- user owns goes with it (ON DELETE CASCADE). Served by users_pkey (id).
DELETE FROM users
WHERE id = :'user_id'
  AND (:'if_match'::bigint[] IS NULL OR version = ANY (:'if_match'::bigint[]));
