-- create_user: register an account with a password; a taken email (any letter case) violates
-- users_email_key. The registration's attempt (sql/accounts/record_registration_attempt.sql) is
-- deleted in the same statement, so it counts as a failure only when no account is created.
-- Returns the new user. The attempt is found by login_failures_pkey (id).
WITH attempt AS (
    DELETE FROM login_failures
    WHERE id = :'attempt_id'
)
INSERT INTO users (email, name, password_hash)
VALUES (:'email', :'name', :'password_hash')
RETURNING id, email, name, google_id, preferred_language, subscription_tier, trial_ends_at,
          created_at, updated_at, version;
