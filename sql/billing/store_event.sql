-- store_event: keep a webhook event whose signature holds, unless one with the same body (by its
-- SHA-256) is stored already; returns true when stored now, no row for a redelivery (which, while
-- the first delivery is still in its transaction, waits for it and then finds it). user_id is the
-- account the event names or, without one, the owner of its subscription, when that account
-- exists. Served by billing_events_pkey (body_sha256), users_pkey (id) and
-- subscriptions_ls_subscription_key (ls_subscription_id).
INSERT INTO billing_events (body_sha256, body, event_name, ls_subscription_id, user_id, outcome)
SELECT :'body_sha256'::bytea, :'body'::bytea, :'event_name', :'ls_subscription_id'::bigint,
       (SELECT u.id
        FROM users AS u
        WHERE u.id = coalesce(:'user_id'::bigint,
                              (SELECT s.user_id
                               FROM subscriptions AS s
                               WHERE s.ls_subscription_id = :'ls_subscription_id'::bigint))),
       :'outcome'
ON CONFLICT (body_sha256) DO NOTHING
RETURNING true AS stored;
