-- update_user: change the name and/or preferred language of an active user; a NULL keeps the
-- current value (neither column may be NULL). Returns the user, or no row.
-- Served by users_pkey (id).
UPDATE users
SET name = coalesce(:'name', name),
    preferred_language = coalesce(:'preferred_language', preferred_language)
WHERE id = :'user_id'
  AND is_active
RETURNING id, email, name, google_id, preferred_language, subscription_tier, trial_ends_at,
          created_at, updated_at;
