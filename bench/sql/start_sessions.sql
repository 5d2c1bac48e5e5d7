-- start_sessions: a session for each given user, in the order given, lasting ttl_seconds, as a
-- sign-in would start it (the tokens the benchmarks send name them); ids in the order of the users.
-- Returns each user's session id and end.
INSERT INTO sessions (user_id, token_hash, user_agent, expires_at)
SELECT u.id, sha256(('bench ' || u.id)::bytea), 'bench',
       now() + make_interval(secs => :'ttl_seconds'::double precision)
FROM unnest(:'user_ids'::bigint[]) WITH ORDINALITY AS u (id, n)
ORDER BY u.n
RETURNING user_id, id, expires_at;
