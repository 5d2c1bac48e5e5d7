-- sync_user_tiers: set each of these users' subscription_tier to the best tier their
-- subscriptions grant now (pro over premium; free when none does) and trial_ends_at to the end of
-- the trial they are on (NULL when none), where these differ; how many users changed. Run after
-- the users' rows are locked (lock_subscriber, lock_lapsed_users) in the same transaction, so it
-- reads their subscriptions as they are. Served by users_pkey (id) and subscriptions_pkey
-- (user_id, id).
UPDATE users AS u
SET subscription_tier = t.tier,
    trial_ends_at = t.trial_ends_at
FROM (
    SELECT x.id,
           CASE WHEN bool_or(s.tier = 'pro' AND subscription_entitles(s.status, s.ends_at, now()))
                    THEN 'pro'
                WHEN bool_or(subscription_entitles(s.status, s.ends_at, now()))
                    THEN 'premium'
                ELSE 'free' END AS tier,
           max(s.trial_ends_at) FILTER (WHERE s.status = 'on_trial') AS trial_ends_at
    FROM unnest(:'user_ids'::bigint[]) AS x (id)
    LEFT JOIN subscriptions AS s ON s.user_id = x.id
    GROUP BY x.id
) AS t
WHERE u.id = t.id
  AND (u.subscription_tier, u.trial_ends_at) IS DISTINCT FROM (t.tier, t.trial_ends_at);
