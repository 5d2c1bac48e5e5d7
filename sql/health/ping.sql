-- ping: the readiness probe; any answer means a pooled connection works.
SELECT 1;
