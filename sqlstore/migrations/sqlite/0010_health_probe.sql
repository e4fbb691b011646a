-- The readiness check's write probe (sqlstore/health.go): each probe
-- inserts a row and deletes it in one transaction, so the table stays empty.
-- Keep it in step with ../postgres/0010_health_probe.sql.
CREATE TABLE health_probe (
    id      INTEGER PRIMARY KEY,
    payload BLOB NOT NULL
);
