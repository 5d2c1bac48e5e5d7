-- apply_payment_event: refresh a subscription's status from a payment event (it carries an
-- invoice, not the subscription), under lock_subscriber's lock on its user, when the invoice is
-- newer than both the subscription event and the payment event applied last: a failed payment
-- makes an active (or trialling) subscription past_due; a successful or recovered one makes a
-- past_due or unpaid subscription active again, and a trialling one whose renewal was paid.
-- Returns the same row as apply_subscription_event. Served by subscriptions_ls_subscription_key
-- (ls_subscription_id).
WITH prior AS (
    SELECT s.status, s.tier
    FROM subscriptions AS s
    WHERE s.ls_subscription_id = :'ls_subscription_id'
      AND s.user_id = :'user_id'
),
moved AS (
    UPDATE subscriptions AS s
    SET status = CASE
            WHEN :'payment'::text = 'failed' AND s.status IN ('active', 'on_trial')
                THEN 'past_due'
            WHEN :'payment'::text IN ('success', 'recovered')
                 AND (s.status IN ('past_due', 'unpaid')
                      OR (s.status = 'on_trial' AND :'billing_reason'::text = 'renewal'))
                THEN 'active'
            ELSE s.status END,
        ls_invoice_updated_at = :'invoice_updated_at',
        updated_at = now()
    WHERE s.ls_subscription_id = :'ls_subscription_id'
      AND s.user_id = :'user_id'
      AND :'invoice_updated_at'::timestamptz > greatest(s.ls_updated_at, s.ls_invoice_updated_at)
    RETURNING s.id, s.status, s.tier, s.ends_at, s.trial_ends_at
)
SELECT n.id IS NOT NULL AS applied, NULL::boolean AS other_user,
       p.status AS previous_status, p.tier AS previous_tier,
       n.id, n.status, n.tier, n.ends_at, n.trial_ends_at
FROM (VALUES (1)) AS one (x)
LEFT JOIN prior AS p ON true
LEFT JOIN moved AS n ON true;
