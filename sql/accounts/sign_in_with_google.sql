-- sign_in_with_google: the account of a verified Google identity. The one whose google_id it is;
-- else the active account with its email (any letter case) not linked to another Google account,
-- which is linked now (google_id set); else a new account with no password. The attempt that
-- record_registration_attempt counted against the address is deleted (the token was valid). One
-- row: user_id and created, or no user_id and why: account_gone (that account is deactivated),
-- linked_elsewhere (the email's account is linked to another Google account), or neither when a
-- concurrent sign-in or registration wrote the account first (the insert does nothing on any
-- conflict): run it again, and it finds that account in its new snapshot.
-- Served by users_google_id_key (google_id), users_email_key (lower(email)) and
-- login_failures_pkey (id).
WITH attempt AS (
    DELETE FROM login_failures
    WHERE id = :'attempt_id'
),
known AS (
    SELECT u.id, u.is_active
    FROM users AS u
    WHERE u.google_id = :'google_id'
),
same_email AS (
    SELECT u.id, u.is_active, u.google_id
    FROM users AS u
    WHERE lower(u.email) = lower(:'email')
),
linked AS (
    UPDATE users AS u
    SET google_id = :'google_id'
    WHERE lower(u.email) = lower(:'email')
      AND u.google_id IS NULL
      AND u.is_active
      AND NOT EXISTS (SELECT FROM known)
    RETURNING u.id
),
created AS (
    INSERT INTO users (email, name, google_id)
    SELECT :'email', :'name', :'google_id'
    WHERE NOT EXISTS (SELECT FROM known)
      AND NOT EXISTS (SELECT FROM same_email)
    ON CONFLICT DO NOTHING
    RETURNING id
)
SELECT coalesce((SELECT k.id FROM known AS k WHERE k.is_active),
                (SELECT l.id FROM linked AS l),
                (SELECT c.id FROM created AS c)) AS user_id,
       EXISTS (SELECT FROM created) AS created,
       EXISTS (SELECT FROM known AS k WHERE NOT k.is_active)
           OR (NOT EXISTS (SELECT FROM known)
               AND EXISTS (SELECT FROM same_email AS e WHERE NOT e.is_active)) AS account_gone,
       NOT EXISTS (SELECT FROM known)
           AND EXISTS (SELECT FROM same_email AS e
                       WHERE e.is_active AND e.google_id IS NOT NULL) AS linked_elsewhere;
