-- record_login: after a correct password, forget this email's failures from this address (among
-- them the attempt itself, which get_login recorded as one), remember that the account logged in
-- from here (the looser limits then exempt this address), and when new_password_hash is given
-- (the stored hash was made with older argon2 parameters) store it, unless the password changed
-- since it was read (password_hash is the hash that was verified). Returns the user's id, or no
-- row (and nothing remembered) when the account was deleted or deactivated since get_login.
-- Served by login_failures_email_idx (email, address, failed_at), users_pkey (id) and
-- login_addresses_pkey (user_id, address).
WITH cleared AS (
    DELETE FROM login_failures AS f
    WHERE f.email = lower(:'email')
      AND f.address = :'address'
),
rehashed AS (
    UPDATE users AS u
    SET password_hash = :'new_password_hash'::text
    WHERE u.id = :'user_id'
      AND u.password_hash = :'password_hash'
      AND :'new_password_hash'::text IS NOT NULL
)
INSERT INTO login_addresses (user_id, address)
SELECT u.id, :'address'
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
ON CONFLICT ON CONSTRAINT login_addresses_pkey DO UPDATE SET last_login_at = now()
RETURNING user_id;
