// Package storetest opens real databases for tests: SQLite in a temporary
// directory always, and PostgreSQL when CHECKIN_TEST_POSTGRES_URL is set,
// each test in a schema of its own that is dropped afterwards.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
)

// PostgresEnv names the variable that points the tests at a PostgreSQL server.
const PostgresEnv = "CHECKIN_TEST_POSTGRES_URL"

// Start is the time every test clock starts at: a Monday, 09:00 UTC.
var Start = time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)

// Dialects returns the names of the databases the tests run against.
func Dialects() []string {
	if os.Getenv(PostgresEnv) != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Each runs fn as a subtest against each database, with a fresh, migrated
// store and a manual clock set to Start.
func Each(t *testing.T, fn func(t *testing.T, db *sqlstore.DB, clock *checkin.ManualClock)) {
	t.Helper()
	for _, dialect := range Dialects() {
		t.Run(dialect, func(t *testing.T) {
			clock := checkin.NewManualClock(Start)
			fn(t, Open(t, dialect, clock), clock)
		})
	}
}

// Open returns a fresh, migrated store of the given dialect.
func Open(t testing.TB, dialect string, clock checkin.Clock) *sqlstore.DB {
	t.Helper()
	db, _ := OpenDSN(t, dialect, clock)
	return db
}

// OpenDSN is Open, and also returns the store's --db value, for tests that
// look at the database beside the store.
func OpenDSN(t testing.TB, dialect string, clock checkin.Clock) (*sqlstore.DB, string) {
	t.Helper()
	dsn := DSN(t, dialect)
	db, err := sqlstore.Open(context.Background(), dsn, clock, nil)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

var schemaSeq atomic.Int64

// DSN returns the --db value of a fresh database of the given dialect: a
// file in a temporary directory, or a new PostgreSQL schema that is dropped
// when the test ends.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == "sqlite" {
		return filepath.Join(t.TempDir(), "checkin.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skip(PostgresEnv + " is not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("PostgreSQL at %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer admin.Close()
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Must returns v, and panics (failing the test) on err: for set-up steps
// that are not what a test is about.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("set-up step failed: %v", err))
	}
	return v
}

// IsPostgres reports whether a subtest name is the PostgreSQL one.
func IsPostgres(t testing.TB) bool {
	return strings.HasSuffix(t.Name(), "/postgres") || strings.Contains(t.Name(), "/postgres/")
}
