-- 0002_tasks: a user's to-do items, keyed (user_id, id) so that Citus can distribute by user_id.
-- depends: 0001_users

CREATE TABLE tasks (
    user_id     bigint      NOT NULL,
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    title       text        NOT NULL,
    description text,
    completed   boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     bigint      NOT NULL DEFAULT 1,
    CONSTRAINT tasks_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT tasks_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT tasks_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT tasks_title_not_blank CHECK (title ~ '[^[:space:]]'),
    CONSTRAINT tasks_description_length CHECK (char_length(description) <= 1000)
);

-- list_tasks: newest first, keyset on (created_at, id).
CREATE INDEX tasks_user_created_idx ON tasks (user_id, created_at DESC, id DESC);
-- list_tasks_by_completed and task_stats (index-only count per completed value).
CREATE INDEX tasks_user_completed_created_idx ON tasks (user_id, completed, created_at DESC, id DESC);

CREATE TRIGGER tasks_touch_row BEFORE UPDATE ON tasks
    FOR EACH ROW EXECUTE FUNCTION touch_row();
