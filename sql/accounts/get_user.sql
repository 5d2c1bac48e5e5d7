-- get_user: one active user, or no row (also when the caller's session has ended).
-- Served by users_pkey (id) and sessions_pkey (user_id, id).
SELECT id, email, name, google_id, preferred_language, subscription_tier, trial_ends_at,
       created_at, updated_at, version
FROM users
WHERE id = :'user_id'
  AND is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
