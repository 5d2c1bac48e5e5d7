-- record_login: after a correct password, forget this email's failures from this address (among
-- them the attempt itself, which get_login recorded as one) and remember that the account logged
-- in from here: the looser limits then exempt this address. Returns the user's id, or no row
-- (and nothing remembered) when the account was deleted or deactivated since get_login.
-- Served by login_failures_email_idx (email, address, failed_at), users_pkey (id) and
-- login_addresses_pkey (user_id, address).
WITH cleared AS (
    DELETE FROM login_failures AS f
    WHERE f.email = lower(:'email')
      AND f.address = :'address'
)
INSERT INTO login_addresses (user_id, address)
SELECT u.id, :'address'
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
ON CONFLICT ON CONSTRAINT login_addresses_pkey DO UPDATE SET last_login_at = now()
RETURNING user_id;
