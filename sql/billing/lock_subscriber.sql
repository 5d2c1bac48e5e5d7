-- lock_subscriber: lock the row of the active account an event applies to: the one it names
-- (user_id) or, without one, the owner of its subscription (ls_subscription_id); returns the id,
-- or no row when there is no such active account. Every change to a user's subscriptions and
-- tier is made under this lock, so the statements after it in the transaction read them as they
-- are (not as a statement's snapshot from before another writer committed). FOR NO KEY UPDATE,
-- as an UPDATE of users takes: it does not wait for the key-share locks that inserting rows which
-- refer to the user take (store_event's own, another delivery's), so two deliveries that have
-- each stored their event do not deadlock here.
-- Served by users_pkey (id) and subscriptions_ls_subscription_key (ls_subscription_id).
SELECT u.id
FROM users AS u
WHERE u.id = coalesce(:'user_id'::bigint,
                      (SELECT s.user_id
                       FROM subscriptions AS s
                       WHERE s.ls_subscription_id = :'ls_subscription_id'::bigint))
  AND u.is_active
FOR NO KEY UPDATE OF u;
