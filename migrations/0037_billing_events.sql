-- 0037_billing_events: the inbox of the billing provider's webhook: every event whose signature
-- holds, stored raw (the exact bytes received) and keyed by their SHA-256, in the transaction
-- that applies it, so a redelivery finds its key and changes nothing, and two deliveries at once
-- store and apply it once. outcome says what became of it. user_id is the account the event
-- names (or whose subscription it is), when that account exists: the account's events go with it.
-- Kept for APP_LEMONSQUEEZY_EVENT_RETENTION_DAYS, then pruned by received_at.
-- Keyed by the body's hash, not led by user_id: the key must be checked before the user is known.
-- depends: 0036_subscriptions

CREATE TABLE billing_events (
    body_sha256        bytea       NOT NULL,
    body               bytea       NOT NULL,
    event_name         text,
    ls_subscription_id bigint,
    user_id            bigint,
    outcome            text        NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_events_pkey PRIMARY KEY (body_sha256),
    CONSTRAINT billing_events_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)
        ON DELETE CASCADE,
    CONSTRAINT billing_events_sha256_length CHECK (octet_length(body_sha256) = 32),
    CONSTRAINT billing_events_event_name_length CHECK (char_length(event_name) BETWEEN 1 AND 100),
    CONSTRAINT billing_events_outcome_valid CHECK (
        outcome IN ('received', 'applied', 'stale', 'ignored', 'malformed', 'unknown_user',
                    'no_subscription', 'other_user', 'unknown_variant')
    )
);

-- The account's events, deleted with it.
CREATE INDEX billing_events_user_idx ON billing_events (user_id) WHERE user_id IS NOT NULL;
-- prune_billing_events: the oldest first.
CREATE INDEX billing_events_received_idx ON billing_events (received_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON billing_events TO pgapi_service;
