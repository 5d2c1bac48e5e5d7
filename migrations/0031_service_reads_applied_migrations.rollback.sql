-- An administrator may have dropped the role already (see 0007's rollback).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgapi_service') THEN
        REVOKE SELECT ON _yoyo_migration FROM pgapi_service;
    END IF;
END;
$$;
