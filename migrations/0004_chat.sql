-- 0004_chat: conversations and their messages, keyed (user_id, id) so that Citus can distribute
-- a user's conversations and messages together by user_id.
-- depends: 0002_tasks

CREATE TABLE conversations (
    user_id       bigint      NOT NULL,
    id            bigint      GENERATED ALWAYS AS IDENTITY,
    title         text,
    -- Kept by create_message in the same statement that inserts the message, so a list page
    -- shows each conversation's count without counting its messages.
    message_count integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Moves on every change, including each new message (create_message updates the row):
    -- it is the conversation's last activity.
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       bigint      NOT NULL DEFAULT 1,
    CONSTRAINT conversations_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT conversations_user_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT conversations_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    CONSTRAINT conversations_title_not_blank CHECK (title ~ '[^[:space:]]'),
    CONSTRAINT conversations_message_count_not_negative CHECK (message_count >= 0)
);

-- list_conversations: newest activity first, keyset on (updated_at, id).
CREATE INDEX conversations_user_updated_idx ON conversations (user_id, updated_at DESC, id DESC);

CREATE TRIGGER conversations_touch_row BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION touch_row();

CREATE TABLE messages (
    user_id         bigint      NOT NULL,
    conversation_id bigint      NOT NULL,
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    role            text        NOT NULL,
    content         text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_pkey PRIMARY KEY (user_id, id),
    CONSTRAINT messages_conversation_fkey FOREIGN KEY (user_id, conversation_id)
        REFERENCES conversations (user_id, id) ON DELETE CASCADE,
    CONSTRAINT messages_role_valid CHECK (role IN ('user', 'assistant', 'system')),
    CONSTRAINT messages_content_length CHECK (char_length(content) BETWEEN 1 AND 10000)
);

-- list_messages (a conversation's messages, newest first, keyset on (created_at, id)), the last
-- message of each conversation in list_conversations and get_conversation, and the cascade from
-- messages_conversation_fkey (its leading columns are the foreign key).
CREATE INDEX messages_user_conversation_created_idx
    ON messages (user_id, conversation_id, created_at DESC, id DESC);
