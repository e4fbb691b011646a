-- The schema of the check-in service, SQLite dialect. Keep it in step with
-- ../postgres/0001_init.sql: the same tables, columns, constraints and indexes.

CREATE TABLE networks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_on TIMESTAMP NOT NULL
);

CREATE TABLE businesses (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id   TEXT NOT NULL UNIQUE,
    created_on  TIMESTAMP NOT NULL,
    updated_on  TIMESTAMP NOT NULL,
    updated_by  TEXT,
    system_id   TEXT,
    name        TEXT NOT NULL,
    web_address TEXT NOT NULL UNIQUE,
    time_zone   TEXT NOT NULL,
    network_id  INTEGER NOT NULL REFERENCES networks (id)
);
CREATE INDEX businesses_network ON businesses (network_id);

CREATE TABLE business_settings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id      TEXT NOT NULL UNIQUE,
    created_on     TIMESTAMP NOT NULL,
    updated_on     TIMESTAMP NOT NULL,
    updated_by     TEXT,
    system_id      TEXT,
    business_id    INTEGER NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    canonical_name TEXT NOT NULL,
    value          TEXT NOT NULL,
    UNIQUE (business_id, canonical_name)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id     TEXT NOT NULL UNIQUE,
    created_on    TIMESTAMP NOT NULL,
    updated_on    TIMESTAMP NOT NULL,
    updated_by    TEXT,
    system_id     TEXT,
    email         TEXT NOT NULL UNIQUE,
    full_name     TEXT NOT NULL DEFAULT '',
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT ''
);

-- A user's devices. Device limits are enforced by locking the user's row
-- before counting, in the same transaction that inserts.
CREATE TABLE user_devices (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mac        TEXT NOT NULL,
    created_on TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, mac)
);
CREATE INDEX user_devices_mac ON user_devices (mac);

CREATE TABLE oauth_tokens (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_hash     TEXT NOT NULL UNIQUE,
    refresh_hash    TEXT NOT NULL UNIQUE,
    access_expires  TIMESTAMP NOT NULL,
    refresh_expires TIMESTAMP NOT NULL,
    created_on      TIMESTAMP NOT NULL
);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (refresh_expires);

CREATE TABLE tariffs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id           TEXT NOT NULL UNIQUE,
    created_on          TIMESTAMP NOT NULL,
    updated_on          TIMESTAMP NOT NULL,
    updated_by          TEXT,
    system_id           TEXT,
    business_id         INTEGER NOT NULL REFERENCES businesses (id),
    name                TEXT NOT NULL,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    checkin_month_limit INTEGER CHECK (checkin_month_limit >= 0),
    checkin_week_limit  INTEGER CHECK (checkin_week_limit >= 0)
);
CREATE INDEX tariffs_business ON tariffs (business_id);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id   TEXT NOT NULL UNIQUE,
    created_on  TIMESTAMP NOT NULL,
    updated_on  TIMESTAMP NOT NULL,
    updated_by  TEXT,
    system_id   TEXT,
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    name        TEXT NOT NULL
);
CREATE INDEX teams_business ON teams (business_id);

CREATE TABLE coworkers (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id             TEXT NOT NULL UNIQUE,
    created_on            TIMESTAMP NOT NULL,
    updated_on            TIMESTAMP NOT NULL,
    updated_by            TEXT,
    system_id             TEXT,
    business_id           INTEGER NOT NULL REFERENCES businesses (id),
    full_name             TEXT NOT NULL,
    email                 TEXT NOT NULL,
    user_id               INTEGER NOT NULL REFERENCES users (id),
    access_pincode        TEXT NOT NULL DEFAULT '',
    access_card_id        TEXT NOT NULL DEFAULT '',
    allow_network_checkin BOOLEAN NOT NULL DEFAULT FALSE,
    active                BOOLEAN NOT NULL DEFAULT TRUE,
    tariff_id             INTEGER REFERENCES tariffs (id),
    UNIQUE (user_id, business_id)
);
CREATE INDEX coworkers_business_pincode ON coworkers (business_id, access_pincode);
CREATE INDEX coworkers_tariff ON coworkers (tariff_id);

-- One row per card of a coworker, for lookups; a card opens one member's
-- profile per location.
CREATE TABLE coworker_cards (
    business_id INTEGER NOT NULL REFERENCES businesses (id),
    card        TEXT NOT NULL,
    coworker_id INTEGER NOT NULL REFERENCES coworkers (id) ON DELETE CASCADE,
    PRIMARY KEY (business_id, card)
);
CREATE INDEX coworker_cards_card ON coworker_cards (card);
CREATE INDEX coworker_cards_coworker ON coworker_cards (coworker_id);

CREATE TABLE coworker_teams (
    coworker_id INTEGER NOT NULL REFERENCES coworkers (id) ON DELETE CASCADE,
    team_id     INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (coworker_id, team_id)
);
CREATE INDEX coworker_teams_team ON coworker_teams (team_id);

CREATE TABLE visitors (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id            TEXT NOT NULL UNIQUE,
    created_on           TIMESTAMP NOT NULL,
    updated_on           TIMESTAMP NOT NULL,
    updated_by           TEXT,
    system_id            TEXT,
    business_id          INTEGER NOT NULL REFERENCES businesses (id),
    full_name            TEXT NOT NULL,
    email                TEXT NOT NULL DEFAULT '',
    coworker_id          INTEGER REFERENCES coworkers (id) ON DELETE SET NULL,
    host_approval_status INTEGER NOT NULL DEFAULT 1 CHECK (host_approval_status BETWEEN 1 AND 5),
    visitor_code         TEXT NOT NULL DEFAULT '',
    expected_arrival     TIMESTAMP,
    checked_in_at        TIMESTAMP
);
CREATE UNIQUE INDEX visitors_code ON visitors (business_id, lower(visitor_code)) WHERE visitor_code <> '';

-- running is true while a session started with the token is open: its minutes
-- are being used since last_access.
CREATE TABLE access_tokens (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id        TEXT NOT NULL UNIQUE,
    created_on       TIMESTAMP NOT NULL,
    updated_on       TIMESTAMP NOT NULL,
    updated_by       TEXT,
    system_id        TEXT,
    business_id      INTEGER NOT NULL REFERENCES businesses (id),
    access_code      TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    minutes_included INTEGER NOT NULL CHECK (minutes_included > 0),
    minutes_left     INTEGER NOT NULL CHECK (minutes_left >= 0),
    valid_from       TIMESTAMP,
    valid_to         TIMESTAMP,
    last_access      TIMESTAMP,
    running          BOOLEAN NOT NULL DEFAULT FALSE,
    visitor_id       INTEGER UNIQUE REFERENCES visitors (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX access_tokens_code ON access_tokens (business_id, lower(access_code));

CREATE TABLE token_devices (
    token_id   INTEGER NOT NULL REFERENCES access_tokens (id) ON DELETE CASCADE,
    mac        TEXT NOT NULL,
    created_on TIMESTAMP NOT NULL,
    PRIMARY KEY (token_id, mac)
);
CREATE INDEX token_devices_mac ON token_devices (mac);

-- business_day is the local date of the business day the check-in started
-- in (days start at the location's daily cut-off); plan limits count them.
CREATE TABLE checkins (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id                    TEXT NOT NULL UNIQUE,
    created_on                   TIMESTAMP NOT NULL,
    updated_on                   TIMESTAMP NOT NULL,
    updated_by                   TEXT,
    system_id                    TEXT,
    coworker_id                  INTEGER REFERENCES coworkers (id),
    coworker_full_name           TEXT,
    business_id                  INTEGER NOT NULL REFERENCES businesses (id),
    business_name                TEXT,
    access_token_id              INTEGER REFERENCES access_tokens (id) ON DELETE SET NULL,
    source                       INTEGER NOT NULL CHECK (source BETWEEN 0 AND 5),
    from_time                    TIMESTAMP NOT NULL,
    to_time                      TIMESTAMP,
    counts_towards_plan_limits   BOOLEAN NOT NULL DEFAULT TRUE,
    coworker_time_pass_guid      TEXT,
    auto_checkout                BOOLEAN NOT NULL DEFAULT FALSE,
    last_activity                TIMESTAMP,
    mac_addresses                TEXT,
    teams_at_the_time_of_checkin TEXT,
    tariff_at_the_time_of_checkin TEXT,
    validate_checkin_job_id      TEXT,
    from_time_local              TIMESTAMP,
    to_time_local                TIMESTAMP,
    business_day                 TEXT NOT NULL
);
-- At most one open check-in per member and location, and per token session.
CREATE UNIQUE INDEX checkins_open_member ON checkins (coworker_id, business_id) WHERE to_time IS NULL AND coworker_id IS NOT NULL;
CREATE UNIQUE INDEX checkins_open_token ON checkins (access_token_id) WHERE to_time IS NULL AND access_token_id IS NOT NULL;
CREATE INDEX checkins_open_business ON checkins (business_id, business_day) WHERE to_time IS NULL;
CREATE INDEX checkins_coworker_day ON checkins (coworker_id, business_day);
CREATE INDEX checkins_business_from ON checkins (business_id, from_time);
CREATE INDEX checkins_from ON checkins (from_time);

CREATE TABLE failed_checkins (
    id                            INTEGER PRIMARY KEY AUTOINCREMENT,
    unique_id                     TEXT NOT NULL UNIQUE,
    created_on                    TIMESTAMP NOT NULL,
    updated_on                    TIMESTAMP NOT NULL,
    updated_by                    TEXT,
    system_id                     TEXT,
    coworker_id                   INTEGER REFERENCES coworkers (id) ON DELETE SET NULL,
    coworker_full_name            TEXT,
    business_id                   INTEGER NOT NULL REFERENCES businesses (id) ON DELETE CASCADE,
    business_name                 TEXT,
    checkin_attempt_time          TIMESTAMP NOT NULL,
    source                        INTEGER NOT NULL,
    mac_addresses                 TEXT,
    teams_at_the_time_of_checkin  TEXT,
    tariff_at_the_time_of_checkin TEXT,
    description                   TEXT,
    checkin_attempt_time_local    TIMESTAMP
);
CREATE INDEX failed_checkins_business_time ON failed_checkins (business_id, checkin_attempt_time);
CREATE INDEX failed_checkins_time ON failed_checkins (checkin_attempt_time);
CREATE INDEX failed_checkins_coworker ON failed_checkins (coworker_id);
