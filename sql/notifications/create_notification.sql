-- create_notification: a new notification for an active user, or no row when the account is gone
-- or deactivated. Run by every domain inside the transaction of the write that causes it.
-- Served by users_pkey (id).
INSERT INTO notifications (user_id, kind, title, body, data)
SELECT u.id, :'kind', :'title', :'body', :'data'::jsonb
FROM users AS u
WHERE u.id = :'user_id'
  AND u.is_active
RETURNING id, kind, title, body, data, is_read, created_at, updated_at, version;
