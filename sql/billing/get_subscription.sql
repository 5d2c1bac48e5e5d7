-- get_subscription: the subscription of an active user that matters now (one that grants its
-- tier before one that does not, then the newest at the provider), with whether it grants it;
-- one row of NULLs when the user has none, no row when the account is gone or deactivated.
-- Served by users_pkey (id) and subscriptions_pkey (user_id, id).
SELECT s.id, s.tier, s.status, s.entitled, s.current_period_end, s.cancel_at_period_end,
       s.trial_ends_at, s.renews_at, s.ends_at, s.product_name, s.variant_name,
       s.ls_subscription_id, s.ls_customer_id, s.ls_order_id, s.ls_variant_id, s.test_mode,
       s.created_at, s.updated_at
FROM users AS u
LEFT JOIN LATERAL (
    SELECT p.id, p.tier, p.status, subscription_entitles(p.status, p.ends_at, now()) AS entitled,
           p.current_period_end, p.cancel_at_period_end, p.trial_ends_at, p.renews_at, p.ends_at,
           p.product_name, p.variant_name, p.ls_subscription_id, p.ls_customer_id, p.ls_order_id,
           p.ls_variant_id, p.test_mode, p.created_at, p.updated_at
    FROM subscriptions AS p
    WHERE p.user_id = u.id
    ORDER BY subscription_entitles(p.status, p.ends_at, now()) DESC, p.ls_created_at DESC,
             p.id DESC
    LIMIT 1
) AS s ON true
WHERE u.id = :'user_id'
  AND u.is_active
  AND EXISTS (SELECT FROM sessions AS ses WHERE ses.user_id = :'user_id' AND ses.id = :'session_id');
