-- settle_event: record what became of a stored event, in the transaction that stored it.
-- Served by billing_events_pkey (body_sha256).
UPDATE billing_events
SET outcome = :'outcome'
WHERE body_sha256 = :'body_sha256'::bytea;
