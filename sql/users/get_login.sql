-- get_login: the id and password hash of the active user with this email (any letter case).
-- Served by users_email_key (lower(email)).
SELECT id, password_hash
FROM users
WHERE lower(email) = lower(:'email')
  AND is_active;
