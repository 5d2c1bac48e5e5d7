-- lock_lapsed_users: up to batch_size users whose tier outlived the cancelled subscription that
-- granted it (its end passed, and the expired event that would have said so never came): their
-- tier is not free and no subscription of theirs grants that tier now. Locked, skipping rows
-- another transaction holds, for sync_user_tiers in the same transaction, which changes every
-- user returned (so a caller repeating this until a batch comes back short stops).
-- Served by subscriptions_cancelled_ends_idx (ends_at) WHERE status = 'cancelled', users_pkey (id)
-- and subscriptions_pkey (user_id, id).
SELECT u.id
FROM users AS u
WHERE u.id IN (SELECT s.user_id
               FROM subscriptions AS s
               WHERE s.status = 'cancelled'
                 AND s.ends_at <= now())
  AND u.subscription_tier <> 'free'
  AND NOT EXISTS (SELECT
                  FROM subscriptions AS g
                  WHERE g.user_id = u.id
                    AND g.tier = u.subscription_tier
                    AND subscription_entitles(g.status, g.ends_at, now()))
LIMIT :'batch_size'::integer
FOR NO KEY UPDATE OF u SKIP LOCKED;
