DROP TRIGGER conversations_touch_row ON conversations;
CREATE TRIGGER conversations_touch_row BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION touch_row();
DROP FUNCTION touch_conversation();

DROP TRIGGER recipes_touch_row ON recipes;
CREATE TRIGGER recipes_touch_row BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE OR REPLACE FUNCTION touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;
