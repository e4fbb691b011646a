package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestSIGKILLLosesNoWebhookDelivery kills "checkin serve" with SIGKILL
// during a burst of check-ins and check-outs, restarts it, and waits: every
// check-in and check-out the database holds (every answered one among them,
// as the crash test checks) reaches the webhooks, and nothing else does.
func TestSIGKILLLosesNoWebhookDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			recv := newTally(t)
			dsn, addr := storetest.DSN(t, dialect), freeAddr(t)
			pincodes := seedMembers(t, dsn, 16)
			seedWebhooks(t, dsn, recv.URL)
			load := apitest.NewToggles("http://"+addr, "acme.localhost")
			serve := []string{"serve", "--addr", addr, "--db", dsn, "--webhooks-allow-private"}

			p := startProcess(t, bin, serve...)
			stop := runLoad(load, pincodes)
			waitDecided(t, load, 150)
			p.kill(t)
			stop()
			load.Check(t, storetest.SQL(t, dsn))

			p = startProcess(t, bin, serve...)
			stop = runLoad(load, pincodes)
			waitDecided(t, load, 30)
			stop()
			// A webhook the killed process held waits for its lease to end
			// (the client's timeout and 10 s).
			var want map[change]bool
			sqlDB := storetest.SQL(t, dsn)
			for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				// read again each time: a request cut short may still commit
				if want = storedChanges(t, sqlDB); recv.has(want) {
					break
				}
			}
			if code := p.terminate(t); code != 0 {
				t.Errorf("exit after SIGTERM = %d, want 0\n%s", code, p.stderr)
			}
			recv.check(t, want)
		})
	}
}

// change is a check-in opened or closed: the event's kind and the check-in.
type change struct {
	kind string
	id   int64
}

// storedChanges returns every check-in opening and closing stored.
func storedChanges(t *testing.T, db *sql.DB) map[change]bool {
	t.Helper()
	rows, err := db.Query("SELECT id, to_time IS NOT NULL FROM checkins")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[change]bool{}
	for rows.Next() {
		var id int64
		var closed bool
		if err := rows.Scan(&id, &closed); err != nil {
			t.Fatal(err)
		}
		out[change{checkin.EventCheckin, id}] = true
		if closed {
			out[change{checkin.EventCheckout, id}] = true
		}
	}
	return out
}

func seedWebhooks(t *testing.T, dsn, url string) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, kind := range []string{checkin.EventCheckin, checkin.EventCheckout} {
		storetest.Must(db.Webhooks().Create(context.Background(), &checkin.Webhook{BusinessID: 1, Name: kind,
			Action: checkin.ActionOf(kind), URL: url + "/" + kind, Active: true, Secret: "s"}))
	}
}

// tally is a receiver that counts the check-ins delivered to it.
type tally struct {
	*httptest.Server
	mu  sync.Mutex
	got map[change]int
}

func newTally(t *testing.T) *tally {
	r := &tally{got: map[change]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var recs []struct{ Id int64 }
		if err := json.Unmarshal(body, &recs); err != nil || len(recs) != 1 {
			t.Errorf("body %s is not an array of one check-in", body)
		}
		r.mu.Lock()
		for _, rec := range recs {
			r.got[change{req.URL.Path[1:], rec.Id}]++
		}
		r.mu.Unlock()
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *tally) has(want map[change]bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range want {
		if r.got[c] == 0 {
			return false
		}
	}
	return true
}

func (r *tally) check(t *testing.T, want map[change]bool) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	missing, twice := 0, 0
	for c := range want {
		if r.got[c] == 0 {
			missing++
		}
	}
	for c, n := range r.got {
		if !want[c] {
			t.Errorf("%s of check-in %d delivered, but not stored", c.kind, c.id)
		}
		if n > 1 {
			twice++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d stored check-ins and check-outs never delivered", missing, len(want))
	}
	t.Logf("%d check-ins and check-outs delivered, %d of them more than once", len(r.got), twice)
}
