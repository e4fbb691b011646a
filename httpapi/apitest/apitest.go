// Package apitest runs the whole service over HTTP on a real, fresh
// database, for end-to-end tests: the same server the binary builds
// (cmd/checkin/wire), served by httptest, with helpers to send requests, sign in and create records.
// Its Client also speaks to a service started some other way, such as the
// binary.
package apitest

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// API is the service running on one test database, and a client of it.
type API struct {
	*Client
	DB      *sqlstore.DB
	DSN     string // the --db value of the database, for SQL checks
	Dialect string // "sqlite" or "postgres"
	Clock   *checkin.ManualClock
	Server  *httpapi.Server
	*shared
}

// shared is what the copies made by For have in common.
type shared struct {
	admin   *User        // made on first use
	seq     int          // for unique names and addresses
	sql     *sql.DB      // opened on first use
	cleanup func(func()) // the Cleanup of the test that made the API
}

// For returns the API reporting its failures to t: for subtests, whose
// failures must be reported on their own t.
func (a *API) For(t testing.TB) *API {
	c := *a
	c.Client = NewClient(t, a.URL)
	return &c
}

// New serves the service on a fresh database of the dialect, its clock
// manual. Each configure function may set the server's fields before it
// starts.
func New(t testing.TB, dialect string, clock *checkin.ManualClock, configure ...func(*httpapi.Server)) *API {
	t.Helper()
	return newAPI(t, dialect, storetest.DSN(t, dialect), clock, configured(configure))
}

// configured runs each configure function on the server.
func configured(configure []func(*httpapi.Server)) func(*sqlstore.DB, *httpapi.Server) {
	return func(_ *sqlstore.DB, s *httpapi.Server) {
		for _, fn := range configure {
			fn(s)
		}
	}
}

// NewOn is New on the database dsn names, of the dialect: for a SQLite
// file with options of its own.
func NewOn(t testing.TB, dialect, dsn string, clock *checkin.ManualClock, configure ...func(*httpapi.Server)) *API {
	t.Helper()
	return newAPI(t, dialect, dsn, clock, configured(configure))
}

func newAPI(t testing.TB, dialect, dsn string, clock *checkin.ManualClock, more func(*sqlstore.DB, *httpapi.Server)) *API {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, clock, nil)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	srv := wire.Server(db, nil, nil)
	if clock != nil {
		srv.Clock = clock
	}
	more(db, srv)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &API{Client: NewClient(t, ts.URL), DB: db, DSN: dsn, Dialect: dialect, Clock: clock, Server: srv, shared: &shared{cleanup: t.Cleanup}}
}

// Each runs fn as a subtest on each test database ("sqlite", and
// "postgres" when storetest.PostgresEnv is set), the clock at storetest.Start.
// Every database is the test's own, so the test and its subtests run in
// parallel with other parallel tests (a test that calls t.Setenv cannot use
// Each).
func Each(t *testing.T, fn func(t *testing.T, a *API), configure ...func(*httpapi.Server)) {
	t.Helper()
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, New(t, dialect, checkin.NewManualClock(storetest.Start), configure...))
		})
	}
}

// SQL returns the test database opened directly, for checks of what is
// stored.
func (a *API) SQL() *sql.DB {
	a.t.Helper()
	if a.sql == nil {
		driver := "sqlite"
		if a.Dialect == "postgres" {
			driver = "pgx"
		}
		db, err := sql.Open(driver, a.DSN)
		if err != nil {
			a.t.Fatal(err)
		}
		a.cleanup(func() { db.Close() })
		a.sql = db
	}
	return a.sql
}

// Next returns a number not returned before by this API, for unique names.
func (a *API) Next() int {
	a.seq++
	return a.seq
}
