-- update_user: change the name and/or preferred language of an active user; a NULL keeps the
-- current value (neither column may be NULL). With if_match, only at one of those versions.
-- Returns the user, or no row (also when the caller's session has ended). Served by users_pkey
-- (id) and sessions_pkey (user_id, id).
UPDATE users
SET name = coalesce(:'name', name),
    preferred_language = coalesce(:'preferred_language', preferred_language)
WHERE id = :'user_id'
  AND is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id')
  AND (:'if_match'::bigint[] IS NULL OR version = ANY (:'if_match'::bigint[]))
RETURNING id, email, name, google_id, preferred_language, subscription_tier, trial_ends_at,
          created_at, updated_at, version;
