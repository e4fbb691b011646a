-- Webhooks (EVENTS.md) and their deliveries. Keep it in step with
-- ../postgres/0005_webhooks.sql. Times the worker alone reads (retry_at,
-- claimed_until) are microseconds since 1970 (UTC), 0 for none.
CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id     TEXT NOT NULL UNIQUE,
    created_on    TIMESTAMP NOT NULL,
    updated_on    TIMESTAMP NOT NULL,
    updated_by    TEXT,
    system_id     TEXT,
    business_id   INTEGER NOT NULL REFERENCES businesses (id),
    name          TEXT NOT NULL,
    action        INTEGER NOT NULL,
    url           TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    secret        TEXT NOT NULL DEFAULT '',
    last_trigger  TIMESTAMP,
    last_error    TEXT,
    error_count   INTEGER NOT NULL DEFAULT 0,
    retry_at      BIGINT NOT NULL DEFAULT 0, -- no attempt before this, after a failure
    claimed_until BIGINT NOT NULL DEFAULT 0, -- a worker holds the webhook until then
    claim_token   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhooks_subscribed ON webhooks (business_id, action) WHERE active;

-- An event is dispatched once a delivery row exists for each webhook
-- subscribed to it. A flag per event, not a "last seq seen", because on
-- PostgreSQL a sequence value is taken at insert and a transaction may
-- commit after one holding a later value.
ALTER TABLE events ADD COLUMN dispatched BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX events_undispatched ON events (seq) WHERE NOT dispatched;

-- One row per event and webhook; delivered_on is set once a 2xx came back.
CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id   INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_seq    INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    attempts     INTEGER NOT NULL DEFAULT 0,
    delivered_on TIMESTAMP,
    UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_waiting ON webhook_deliveries (webhook_id, event_seq) WHERE delivered_on IS NULL;
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq);
