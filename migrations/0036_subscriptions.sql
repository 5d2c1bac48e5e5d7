-- 0036_subscriptions: a user's subscriptions as the billing provider (Lemon Squeezy) reports
-- them in its webhooks, one row per provider subscription, and the rule of what a subscription
-- grants. Rows are written only by the webhook (app/billing), never by the user.
-- Keyed (user_id, id) like every user's table; the provider's id is unique across users (one
-- provider subscription belongs to one user), since events are matched to rows by it before the
-- user is known: subscriptions_ls_subscription_key is the one key not led by user_id.
-- depends: 0035_notifications

-- subscription_entitles: whether a subscription in this status grants its tier at the moment
-- `at`: on trial, active, past due (the provider is still retrying the payment), or cancelled but
-- not yet at its end. Paused, unpaid and expired ones grant nothing.
CREATE FUNCTION subscription_entitles(status text, ends_at timestamptz, at timestamptz)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT status IN ('on_trial', 'active', 'past_due')
        OR (status = 'cancelled' AND coalesce(ends_at > at, false))
$$;

CREATE TABLE subscriptions (
    user_id               bigint      NOT NULL,
    id                    bigint      GENERATED ALWAYS AS IDENTITY,
    ls_subscription_id    bigint      NOT NULL,
    ls_customer_id        bigint      NOT NULL,
    ls_order_id           bigint      NOT NULL,
    ls_variant_id         bigint      NOT NULL,
    product_name          text        NOT NULL,
    variant_name          text        NOT NULL,
    tier                  text        NOT NULL,
    status                text        NOT NULL,
    current_period_end    timestamptz,
    cancel_at_period_end  boolean     NOT NULL,
    trial_ends_at         timestamptz,
    renews_at             timestamptz,
    ends_at               timestamptz,
    test_mode             boolean     NOT NULL,
    -- The provider's created_at and updated_at of the subscription: an event older than
    -- ls_updated_at changes nothing. ls_invoice_updated_at: the newest payment event applied.
    ls_created_at         timestamptz NOT NULL,
    ls_updated_at         timestamptz NOT NULL,
    ls_invoice_updated_at timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT subscriptions_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT subscriptions_ls_subscription_key UNIQUE (ls_subscription_id),
    CONSTRAINT subscriptions_ls_ids_positive CHECK (
        ls_subscription_id > 0 AND ls_customer_id > 0 AND ls_order_id > 0 AND ls_variant_id > 0
    ),
    CONSTRAINT subscriptions_names_length CHECK (
        char_length(product_name) <= 500 AND char_length(variant_name) <= 500
    ),
    CONSTRAINT subscriptions_tier_valid CHECK (tier IN ('premium', 'pro')),
    CONSTRAINT subscriptions_status_valid CHECK (
        status IN ('on_trial', 'active', 'paused', 'past_due', 'unpaid', 'cancelled', 'expired')
    )
);

-- lock_lapsed_users: cancelled subscriptions by their end, to find tiers that outlived them.
CREATE INDEX subscriptions_cancelled_ends_idx ON subscriptions (ends_at) WHERE status = 'cancelled';

GRANT SELECT, INSERT, UPDATE, DELETE ON subscriptions TO pgapi_service;
