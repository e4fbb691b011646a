package access_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// raceFixture is the fixture's location and members served by one
// instance on SQLite and by two on PostgreSQL (two stores, each opened on
// its own, sharing the database), with a connection of its own to the
// database for checking what was stored.
type raceFixture struct {
	*fixture
	stores []*sqlstore.DB
	urls   []string // one per store
	sql    *sql.DB
	client *http.Client
}

// raceTimeout bounds a check-in's database work in the race tests: long
// enough that every request of a burst is decided, even under -race on a
// small machine, so that every answer can be counted.
const raceTimeout = 30 * time.Second

// eachRace runs fn on a fresh race fixture for each database.
func eachRace(t *testing.T, fn func(t *testing.T, r *raceFixture)) {
	t.Helper()
	eachRaceWithin(t, raceTimeout, fn)
}

// eachRaceWithin is eachRace with servers that bound a check-in's
// database work by checkinTimeout.
func eachRaceWithin(t *testing.T, checkinTimeout time.Duration, fn func(t *testing.T, r *raceFixture)) {
	t.Helper()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			clock := checkin.NewManualClock(storetest.Start)
			dsn := storetest.DSN(t, dialect)
			r := &raceFixture{sql: storetest.SQL(t, dsn),
				client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}}
			t.Cleanup(r.client.CloseIdleConnections)
			instances := 1
			if dialect == "postgres" {
				instances = 2
			}
			for range instances {
				db := openStore(t, dsn, clock)
				r.stores = append(r.stores, db)
				r.urls = append(r.urls, serveStore(t, db, checkinTimeout))
			}
			r.fixture = newFixture(t, r.stores[0], clock)
			for _, db := range r.stores {
				if err := db.HearOthers(context.Background()); err != nil { // the members written on the first
					t.Fatal(err)
				}
			}
			// A burst repeats one refusal many times over: what is raced is
			// its recording, not the limit of failures per identity.
			r.set("Security.Throttle.IdentityFailures", "1000000")
			r.warm()
			fn(t, r)
		})
	}
}

func openStore(t *testing.T, dsn string, clock checkin.Clock) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, clock, nil)
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// serveStore serves the whole service on a store, as the binary does. The
// bursts come from one address that speaks for many clients, as a door
// bridge does: it is a trusted device, so that its requests are decided
// at once (an untrusted address's are checked one at a time, and would
// not race).
func serveStore(t *testing.T, db *sqlstore.DB, checkinTimeout time.Duration) string {
	srv := wire.Server(db, nil, nil)
	srv.CheckinTimeout = checkinTimeout
	srv.TrustedDevices = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}

// warm fills each store's pool of connections, as a server's would be
// after a while: the connections a burst would otherwise open one by one
// would space its requests out, and hide races.
func (r *raceFixture) warm() {
	var wg sync.WaitGroup
	for _, db := range r.stores {
		for range 32 {
			wg.Go(func() { db.Ping(r.ctx) })
		}
	}
	wg.Wait()
}

// count runs a query that returns one number; args are formatted into it
// with fmt (they are the test's own integers).
func (r *raceFixture) count(query string, args ...any) int {
	r.t.Helper()
	var n int
	if err := r.sql.QueryRow(fmt.Sprintf(query, args...)).Scan(&n); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// answer is one request of a burst: its status and confirmation, or the
// error that kept it from being answered.
type answer struct {
	status int
	c      checkin.Confirmation // of a check-in
	raw    []byte
	err    error
}

// request is what one goroutine of a burst sends.
type request struct {
	method, path, token string // POST /api/public/checkin when path is ""
	host                string // acme.localhost when ""
	body                string
}

// burst sends n requests at once, released together once every goroutine
// is ready; request i goes to instance i mod the number of instances.
func (r *raceFixture) burst(n int, req func(i int) request) []answer {
	answers := make([]answer, n)
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	for i := range n {
		ready.Add(1)
		done.Go(func() {
			q := req(i)
			ready.Done()
			<-start
			answers[i] = r.send(r.urls[i%len(r.urls)], q)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
	return answers
}

// posts is a burst of check-in bodies.
func (r *raceFixture) posts(n int, body func(i int) string) []answer {
	return r.burst(n, func(i int) request { return request{body: body(i)} })
}

func (r *raceFixture) send(url string, q request) answer {
	if q.path == "" {
		q.method, q.path = http.MethodPost, "/api/public/checkin"
	}
	if q.host == "" {
		q.host = "acme.localhost"
	}
	req, err := http.NewRequest(q.method, url+q.path, bytes.NewBufferString(q.body))
	if err != nil {
		return answer{err: err}
	}
	req.Host = q.host
	req.Header.Set("Content-Type", "application/json")
	if q.token != "" {
		req.Header.Set("Authorization", "Bearer "+q.token)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: raw, err: err}
	if err == nil && q.path == "/api/public/checkin" {
		if err := json.Unmarshal(raw, &a.c); err != nil {
			a.err = fmt.Errorf("answer %d is not a confirmation: %s", resp.StatusCode, raw)
		}
	}
	return a
}

// tally counts a burst's answers: successes, check-ins and check-outs
// among them, and refusals by code. It fails the test on an answer that is
// not a decision.
type tally struct {
	ok, in, out int
	refused     map[string]int
	refusals    int
}

func (r *raceFixture) tally(answers []answer) tally {
	r.t.Helper()
	n := tally{refused: map[string]int{}}
	for i, a := range answers {
		switch {
		case a.err != nil:
			r.t.Fatalf("request %d: %v", i, a.err)
		case a.status != http.StatusOK:
			r.t.Fatalf("request %d: status %d %+v, want a decision", i, a.status, a.c)
		case a.c.WasSuccessful:
			n.ok++
			if a.c.Value != nil && a.c.Value.CheckedIn != nil && !*a.c.Value.CheckedIn {
				n.out++
			} else {
				n.in++
			}
		default:
			n.refused[code(a.c)]++
			n.refusals++
		}
	}
	return n
}
