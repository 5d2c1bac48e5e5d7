-- delete_user: remove an account; every row the user owns goes with it (ON DELETE CASCADE).
-- Served by users_pkey (id).
DELETE FROM users
WHERE id = :'user_id';
