-- RADIUS (RADIUS.md): the access points, controllers and portals that may
-- send packets, with their shared secrets (kept as given: RADIUS needs the
-- secret itself), and the accounting sessions they report.
CREATE TABLE radius_clients (
    id                            INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id                     TEXT NOT NULL UNIQUE,
    created_on                    TIMESTAMP NOT NULL,
    updated_on                    TIMESTAMP NOT NULL,
    updated_by                    TEXT,
    system_id                     TEXT,
    business_id                   INTEGER NOT NULL REFERENCES businesses (id),
    name                          TEXT NOT NULL,
    address                       TEXT NOT NULL,
    secret                        TEXT NOT NULL,
    require_message_authenticator BOOLEAN NOT NULL DEFAULT TRUE,
    mac_password                  TEXT NOT NULL DEFAULT '',
    coa_address                   TEXT NOT NULL DEFAULT ''
);

-- One row per (client, Acct-Session-Id, device). A session never started
-- but stopped is kept stopped, so that a late Start does not reopen it.
-- coworker_id and token_id name the session's holder; they are not
-- references, so that deleting the member or the token leaves the row
-- for the disconnect that follows.
CREATE TABLE radius_sessions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id           INTEGER NOT NULL REFERENCES radius_clients (id) ON DELETE CASCADE,
    business_id         INTEGER NOT NULL,
    acct_session_id     TEXT NOT NULL,
    mac                 TEXT NOT NULL,
    user_name           TEXT NOT NULL DEFAULT '',
    coworker_id         INTEGER,
    token_id            INTEGER,
    started_on          TIMESTAMP NOT NULL,
    last_activity       TIMESTAMP NOT NULL,
    stopped_on          TIMESTAMP,
    disconnect_sent_on  TIMESTAMP,
    UNIQUE (client_id, acct_session_id, mac)
);
CREATE INDEX radius_sessions_open ON radius_sessions (business_id, stopped_on);
