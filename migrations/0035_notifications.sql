-- 0035_notifications: what the service tells a user (an achievement unlocked, a streak milestone,
-- a daily quota used up, a change of their subscription). Each domain creates them in the
-- transaction of the write that causes them (app.notifications.repository.notify); the user lists,
-- marks and deletes them. A new kind is a new migration that widens notifications_kind_valid.
-- depends: 0009_recipes_cuisine_not_blank

CREATE TABLE notifications (
    user_id    bigint      NOT NULL,
    id         bigint      GENERATED ALWAYS AS IDENTITY,
    kind       text        NOT NULL,
    title      text        NOT NULL,
    body       text        NOT NULL DEFAULT '',
    data       jsonb       NOT NULL DEFAULT '{}',
    is_read    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    bigint      NOT NULL DEFAULT 1,
    CONSTRAINT notifications_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT notifications_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notifications_kind_valid CHECK (
        kind IN ('achievement_unlocked', 'streak_milestone', 'daily_quota_reached',
                 'subscription_changed')
    ),
    CONSTRAINT notifications_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT notifications_title_not_blank CHECK (title ~ '[^[:space:]]'),
    CONSTRAINT notifications_body_length CHECK (char_length(body) <= 2000),
    CONSTRAINT notifications_data_object CHECK (jsonb_typeof(data) = 'object'),
    CONSTRAINT notifications_data_size CHECK (octet_length(data::text) <= 8192)
);

-- list_notifications pages newest first on notifications_pkey (user_id, id); this one serves
-- list_notifications_by_read (read or unread only) and every unread count (index-only).
CREATE INDEX notifications_user_read_idx ON notifications (user_id, is_read, id DESC);

CREATE TRIGGER notifications_touch_row BEFORE UPDATE ON notifications
    FOR EACH ROW EXECUTE FUNCTION touch_row();

GRANT SELECT, INSERT, UPDATE, DELETE ON notifications TO pgapi_service;
