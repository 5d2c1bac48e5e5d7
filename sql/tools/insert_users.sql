-- insert_users: bulk-create accounts that share one password hash (python -m app seed); returns
-- each new id with its email, in the order given. Served by users_email_key (uniqueness).
INSERT INTO users (email, name, password_hash)
SELECT e.email, e.name, :'password_hash'::text
FROM unnest(:'emails'::text[], :'names'::text[]) WITH ORDINALITY AS e (email, name, n)
ORDER BY e.n
RETURNING id, email;
