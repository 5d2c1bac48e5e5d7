-- 0021_users_password_untouched: an update that changes only a user's password hash (a password
-- change, or the rehash of an outdated hash at login) does not touch the account as the API shows
-- it: its version (the ETag of /users/me) and updated_at stay, so an If-Match write that a client
-- prepared is not refused because of it. Any other update touches the row as before, a no-op
-- PATCH included.
-- depends: 0020_sessions

DROP TRIGGER users_touch_row ON users;

CREATE TRIGGER users_touch_row BEFORE UPDATE ON users
    FOR EACH ROW
    WHEN (OLD.password_hash IS NOT DISTINCT FROM NEW.password_hash
          OR ROW(OLD.email, OLD.name, OLD.google_id, OLD.is_active, OLD.preferred_language,
                 OLD.subscription_tier, OLD.trial_ends_at)
             IS DISTINCT FROM
             ROW(NEW.email, NEW.name, NEW.google_id, NEW.is_active, NEW.preferred_language,
                 NEW.subscription_tier, NEW.trial_ends_at))
    EXECUTE FUNCTION touch_row();
