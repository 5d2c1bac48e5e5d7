-- create_login_role: the CREATE ROLE statement for the service's login role (no password: the
-- embedded server trusts its socket) when no role has that name, else no row; the caller runs
-- it. Served by pg_authid_rolname_index.
SELECT format('CREATE ROLE %I LOGIN', :'login_role'::text) AS statement
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'login_role'::text);
