-- 0001_users: accounts, and the trigger function every updatable table uses.

-- touch_row: on every UPDATE, move updated_at and bump version (the resource's strong ETag).
CREATE FUNCTION touch_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

CREATE TABLE users (
    id                 bigint      GENERATED ALWAYS AS IDENTITY,
    email              text        NOT NULL,
    name               text        NOT NULL,
    google_id          text,
    password_hash      text,
    is_active          boolean     NOT NULL DEFAULT true,
    preferred_language text        NOT NULL DEFAULT 'en',
    subscription_tier  text        NOT NULL DEFAULT 'free',
    trial_ends_at      timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            bigint      NOT NULL DEFAULT 1,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_format CHECK (
        char_length(email) <= 254 AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'
    ),
    CONSTRAINT users_name_length CHECK (char_length(name) BETWEEN 1 AND 100 AND name ~ '[^[:space:]]'),
    CONSTRAINT users_google_id_length CHECK (char_length(google_id) BETWEEN 1 AND 255),
    CONSTRAINT users_preferred_language_format CHECK (preferred_language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    CONSTRAINT users_subscription_tier_valid CHECK (subscription_tier IN ('free', 'premium', 'pro')),
    CONSTRAINT users_has_credential CHECK (password_hash IS NOT NULL OR google_id IS NOT NULL)
);

-- Login and registration look users up by lower(email); uniqueness ignores letter case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
-- Sign-in with Google looks users up by google_id.
CREATE UNIQUE INDEX users_google_id_key ON users (google_id) WHERE google_id IS NOT NULL;

CREATE TRIGGER users_touch_row BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION touch_row();
