-- Throttling of failed check-ins: one row per key (a client address, a
-- claimed identity or a location, each per kind of credential), with the
-- failures of its current window. Times are microseconds since 1970 (UTC).
-- Keep it in step with ../sqlite/0002_throttle.sql. Names compare byte by
-- byte (COLLATE "C"), as in SQLite, so that a prefix is a range of the index.
CREATE TABLE throttle_keys (
    name         TEXT COLLATE "C" PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    last_failure BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX throttle_keys_expires ON throttle_keys (expires_at);
