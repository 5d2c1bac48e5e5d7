-- 0030_unchanged_rows_keep_their_version: an UPDATE that changes nothing (an empty PATCH, or one
-- that sends the values the row has) leaves version and updated_at as they are, so it does not
-- invalidate the ETags other clients hold. A conversation's version covers what a client changes
-- with PATCH, its title: a new message moves its updated_at (its last activity) and message_count,
-- not its version, so a rename with an ETag read before the message still applies.
-- depends: 0009_recipes_cuisine_not_blank

-- touch_row: on every UPDATE that changes the row, move updated_at and bump version. In a BEFORE
-- trigger the row's stored generated columns are not computed yet (NULL in NEW), so a table that
-- has some names them as the trigger's arguments, and they are left out of the comparison.
CREATE OR REPLACE FUNCTION touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_NARGS = 0 THEN
        IF NEW IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    ELSIF to_jsonb(NEW) - TG_ARGV = to_jsonb(OLD) - TG_ARGV THEN
        RETURN NEW;
    END IF;
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

DROP TRIGGER recipes_touch_row ON recipes;
CREATE TRIGGER recipes_touch_row BEFORE UPDATE ON recipes
    FOR EACH ROW EXECUTE FUNCTION touch_row('total_time', 'ingredient_names');

-- touch_conversation: on every UPDATE that changes the row, move updated_at (the last activity,
-- which lists sort by); bump version only when the title changes.
CREATE FUNCTION touch_conversation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    NEW.updated_at := now();
    IF NEW.title IS DISTINCT FROM OLD.title THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER conversations_touch_row ON conversations;
CREATE TRIGGER conversations_touch_row BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION touch_conversation();
