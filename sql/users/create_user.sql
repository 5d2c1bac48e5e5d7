-- create_user: register an account with a password; a taken email (any letter case) violates
-- users_email_key. Returns the new user.
INSERT INTO users (email, name, password_hash)
VALUES (:'email', :'name', :'password_hash')
RETURNING id, email, name, google_id, preferred_language, subscription_tier, trial_ends_at,
          created_at, updated_at, version;
