-- grant_group_role: the GRANT that makes the login role a member of the service's group role
-- (which migrations create, with the privileges the service needs); the caller runs it. Granting
-- a membership that exists already is a no-op.
SELECT format('GRANT %I TO %I', :'group_role'::text, :'login_role'::text) AS statement;
