-- get_user: one active user, or no row.
-- Served by users_pkey (id).
SELECT id, email, name, google_id, preferred_language, subscription_tier, trial_ends_at,
       created_at, updated_at, version
FROM users
WHERE id = :'user_id'
  AND is_active;
