DROP TRIGGER users_touch_row ON users;

CREATE TRIGGER users_touch_row BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_row();
