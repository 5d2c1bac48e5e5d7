-- record_login: after a correct password, forget this email's failures from this address (among
-- them the attempt itself, which get_login recorded as one) and remember that the account logged
-- in from here: the looser limits then exempt this address. No rows.
-- Served by login_failures_email_idx (email, address, failed_at) and login_addresses_pkey
-- (user_id, address).
WITH cleared AS (
    DELETE FROM login_failures AS f
    WHERE f.email = lower(:'email')
      AND f.address = :'address'
)
INSERT INTO login_addresses (user_id, address)
VALUES (:'user_id', :'address')
ON CONFLICT ON CONSTRAINT login_addresses_pkey DO UPDATE SET last_login_at = now();
