-- 0008_login_limits: failed logins, counted per account (the email, whether or not an account has
-- it), per client address and per both, so limits hold across worker processes and restarts; and
-- the addresses each account has logged in from, which the looser limits exempt.
-- depends: 0007_service_role

CREATE TABLE login_failures (
    id        bigint      GENERATED ALWAYS AS IDENTITY,
    -- lower(email) of a login; NULL for a registration, which counts against the address only.
    email     text,
    -- The client as app/auth/limits.py client_address names it: an IPv4 address, an IPv6 /64
    -- network, or 'unknown'.
    address   text        NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT login_failures_pkey PRIMARY KEY (id),
    CONSTRAINT login_failures_email_format CHECK (
        char_length(email) BETWEEN 1 AND 254 AND email = lower(email)
    ),
    CONSTRAINT login_failures_address_length CHECK (char_length(address) BETWEEN 1 AND 64)
);

-- get_login (an email's failures from one address, and from all) and record_login (clearing an
-- email's failures from one address). Limits and credentials are not a user's rows, so no user_id.
CREATE INDEX login_failures_email_idx ON login_failures (email, address, failed_at);
-- get_login and record_registration_attempt (an address's failures).
CREATE INDEX login_failures_address_idx ON login_failures (address, failed_at);
-- prune_login_failures: the oldest failures across all emails and addresses.
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);

CREATE TABLE login_addresses (
    user_id       bigint      NOT NULL,
    address       text        NOT NULL,
    last_login_at timestamptz NOT NULL DEFAULT now(),
    -- get_login (has this address logged into this account lately?) and record_login.
    CONSTRAINT login_addresses_pkey PRIMARY KEY (user_id, address),
    CONSTRAINT login_addresses_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT login_addresses_address_length CHECK (char_length(address) BETWEEN 1 AND 64)
);

-- prune_login_addresses: the addresses not used for longest, across all users (housekeeping, like
-- idempotency_keys_created_idx, not a query on behalf of one user).
CREATE INDEX login_addresses_last_login_idx ON login_addresses (last_login_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON login_failures, login_addresses TO pgapi_service;
