"""Chat: a user's conversations and their messages."""
