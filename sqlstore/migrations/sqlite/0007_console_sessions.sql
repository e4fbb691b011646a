-- Console sessions (PAGES.md): a signed-in operator's cookie. Only the
-- token's SHA-256 hash is kept; a session ends after a time without use
-- (last_used) or at sign-out (its row deleted).
CREATE TABLE console_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_on  TIMESTAMP NOT NULL,
    last_used   TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
CREATE INDEX console_sessions_last_used ON console_sessions (last_used);
