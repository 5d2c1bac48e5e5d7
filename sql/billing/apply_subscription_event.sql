-- apply_subscription_event: upsert a subscription by the provider's id from a subscription event,
-- under lock_subscriber's lock on its user, unless the stored row is newer (a later
-- ls_updated_at: the event is older and changes nothing) or belongs to another user. An event
-- arriving before the one that created the subscription creates it. current_period_end is ends_at
-- for a cancelled or expired subscription, else renews_at; cancel_at_period_end is true while a
-- cancelled subscription has not reached its end. Returns one row: whether it was applied, whether
-- the stored row is another user's, the status and tier before (NULL when new), and the row now.
-- Served by subscriptions_ls_subscription_key (ls_subscription_id).
WITH prior AS (
    SELECT s.user_id, s.status, s.tier
    FROM subscriptions AS s
    WHERE s.ls_subscription_id = :'ls_subscription_id'::bigint
),
upserted AS (
    INSERT INTO subscriptions AS s (
        user_id, ls_subscription_id, ls_customer_id, ls_order_id, ls_variant_id, product_name,
        variant_name, tier, status, current_period_end, cancel_at_period_end, trial_ends_at,
        renews_at, ends_at, test_mode, ls_created_at, ls_updated_at
    )
    VALUES (
        :'user_id', :'ls_subscription_id'::bigint, :'ls_customer_id', :'ls_order_id',
        :'ls_variant_id', :'product_name', :'variant_name', :'tier', :'status'::text,
        CASE WHEN :'status'::text IN ('cancelled', 'expired')
             THEN coalesce(:'ends_at'::timestamptz, :'renews_at'::timestamptz)
             ELSE coalesce(:'renews_at'::timestamptz, :'ends_at'::timestamptz) END,
        :'status'::text = 'cancelled' AND coalesce(:'ends_at'::timestamptz > now(), false),
        :'trial_ends_at', :'renews_at'::timestamptz, :'ends_at'::timestamptz, :'test_mode',
        :'ls_created_at', :'ls_updated_at'
    )
    ON CONFLICT (ls_subscription_id) DO UPDATE
    SET ls_customer_id = excluded.ls_customer_id,
        ls_order_id = excluded.ls_order_id,
        ls_variant_id = excluded.ls_variant_id,
        product_name = excluded.product_name,
        variant_name = excluded.variant_name,
        tier = excluded.tier,
        status = excluded.status,
        current_period_end = excluded.current_period_end,
        cancel_at_period_end = excluded.cancel_at_period_end,
        trial_ends_at = excluded.trial_ends_at,
        renews_at = excluded.renews_at,
        ends_at = excluded.ends_at,
        test_mode = excluded.test_mode,
        ls_created_at = excluded.ls_created_at,
        ls_updated_at = excluded.ls_updated_at,
        updated_at = now()
    WHERE s.user_id = excluded.user_id
      AND excluded.ls_updated_at >= s.ls_updated_at
    RETURNING s.id, s.status, s.tier, s.ends_at, s.trial_ends_at
)
SELECT n.id IS NOT NULL AS applied, p.user_id <> :'user_id' AS other_user,
       p.status AS previous_status, p.tier AS previous_tier,
       n.id, n.status, n.tier, n.ends_at, n.trial_ends_at
FROM (VALUES (1)) AS one (x)
LEFT JOIN prior AS p ON true
LEFT JOIN upserted AS n ON true;
