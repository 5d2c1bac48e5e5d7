-- 0005_essays: batches of essays moving through a processing pipeline, keyed (user_id, id) so that
-- Citus can distribute a user's batches and essays together by user_id.
-- depends: 0002_tasks

CREATE TABLE batches (
    user_id    bigint      NOT NULL,
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    name       text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    bigint      NOT NULL DEFAULT 1,
    CONSTRAINT batches_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT batches_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT batches_name_length CHECK (char_length(name) BETWEEN 1 AND 200 AND name ~ '[^[:space:]]')
);

-- list_batches: newest first, keyset on (created_at, id).
CREATE INDEX batches_user_created_idx ON batches (user_id, created_at DESC, id DESC);

CREATE TRIGGER batches_touch_row BEFORE UPDATE ON batches
    FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE essays (
    user_id    bigint      NOT NULL,
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    batch_id   bigint      NOT NULL,
    content_id text        NOT NULL,
    language   text        NOT NULL,
    text       text,
    metadata   jsonb,
    status     text        NOT NULL DEFAULT 'pending',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    bigint      NOT NULL DEFAULT 1,
    CONSTRAINT essays_pkey PRIMARY KEY (user_id, id),
    -- create_batch: a content_id names one essay of a user, across all their batches.
    CONSTRAINT essays_user_content_id_key UNIQUE (user_id, content_id),
    CONSTRAINT essays_batch_fkey FOREIGN KEY (user_id, batch_id)
        REFERENCES batches (user_id, id) ON DELETE CASCADE,
    CONSTRAINT essays_content_id_length CHECK (
        char_length(content_id) BETWEEN 1 AND 255 AND content_id ~ '[^[:space:]]'
    ),
    CONSTRAINT essays_language_format CHECK (language ~ '^[a-z]{2}$'),
    CONSTRAINT essays_text_length CHECK (char_length(text) <= 100000),
    CONSTRAINT essays_metadata_object CHECK (jsonb_typeof(metadata) = 'object'),
    -- The API bounds metadata at 16 KiB of compact JSON; jsonb's text form adds spaces.
    CONSTRAINT essays_metadata_size CHECK (octet_length(metadata::text) <= 65536),
    CONSTRAINT essays_status_valid CHECK (status IN ('pending', 'processing', 'completed', 'failed'))
);

-- list_batch_essays (a batch's essays by id) and the cascade from batches.
CREATE INDEX essays_user_batch_idx ON essays (user_id, batch_id, id);
-- list_batch_essays_by_status, the counts per status of get_batch and list_batches (index-only),
-- and claim_essays (a batch's pending essays, oldest first).
CREATE INDEX essays_user_batch_status_idx ON essays (user_id, batch_id, status, id);

CREATE TRIGGER essays_touch_row BEFORE UPDATE ON essays
    FOR EACH ROW EXECUTE FUNCTION touch_row();
