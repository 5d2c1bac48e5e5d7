-- 0020_sessions: sign-in sessions and their refresh tokens. A session is one sign-in (password,
-- registration or Google) on one client: a family of refresh tokens, each spent by the refresh
-- that issues the next, and the access tokens issued with them, which name it (their sid claim).
-- Every statement on behalf of an access token checks that its session still exists, in the same
-- round trip, so revoking a session (logout, logout-all, a password change, a reused refresh
-- token) ends its access tokens at once. Tokens are stored only as SHA-256 hashes.
-- depends: 0009_recipes_cuisine_not_blank

CREATE TABLE sessions (
    user_id      bigint      NOT NULL,
    id           bigint      GENERATED ALWAYS AS IDENTITY,
    -- The hash of the one refresh token that can be used now (the last one issued).
    token_hash   bytea       NOT NULL,
    -- The User-Agent of the client that signed in or refreshed last, for the sessions list.
    user_agent   text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    -- Absolute: refreshing does not extend it, so a stolen session ends with it too.
    expires_at   timestamptz NOT NULL,
    -- Every statement's session check (user_id, id); list_sessions; revoking one.
    CONSTRAINT sessions_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT sessions_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_hash_length CHECK (octet_length(token_hash) = 32),
    CONSTRAINT sessions_user_agent_length CHECK (char_length(user_agent) <= 512),
    CONSTRAINT sessions_expiry CHECK (expires_at > created_at)
);

-- prune_expired_sessions: the sessions that ended first, across all users (housekeeping, like
-- idempotency_keys_created_idx, not a query on behalf of one user).
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Every refresh token a session has issued, the one in use among them: a token presented again
-- after it was spent is found here, and its session is revoked (RFC 9700, 4.14.2).
CREATE TABLE refresh_tokens (
    user_id    bigint      NOT NULL,
    token_hash bytea       NOT NULL,
    session_id bigint      NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    -- refresh_session and end_session find a presented token by it.
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (user_id, token_hash),
    CONSTRAINT refresh_tokens_session_fkey FOREIGN KEY (user_id, session_id)
        REFERENCES sessions (user_id, id) ON DELETE CASCADE,
    CONSTRAINT refresh_tokens_hash_length CHECK (octet_length(token_hash) = 32)
);

-- The cascade from sessions: a revoked session's tokens go with it.
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (user_id, session_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON sessions, refresh_tokens TO pgapi_service;
