package webhook_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/webhook"
)

// fixture is a store with one location, a worker over it and a receiver.
type fixture struct {
	t        *testing.T
	dsn      string
	db       *sqlstore.DB
	clock    *checkin.ManualClock
	location int64
	worker   *webhook.Worker
	metrics  *webhook.Metrics
	recv     *receiver
	seq      int
	raw      *sql.DB // the database opened directly, to store events
}

func newFixture(t *testing.T, dialect string) *fixture {
	clock := checkin.NewManualClock(storetest.Start)
	dsn := storetest.DSN(t, dialect)
	f := &fixture{t: t, dsn: dsn, clock: clock, recv: newReceiver(t)}
	f.db = f.open()
	rawDSN := dsn
	if dialect == "sqlite" {
		rawDSN = "file:" + dsn + "?_pragma=busy_timeout(10000)"
	}
	f.raw = storetest.SQL(t, rawDSN)
	loc, err := f.db.Businesses().Create(context.Background(), &checkin.Business{Name: "Hub", WebAddress: "hub"})
	if err != nil {
		t.Fatal(err)
	}
	f.location = loc
	f.metrics = webhook.NewMetrics(nil)
	f.worker = f.newWorker(f.db, time.Second)
	return f
}

func (f *fixture) open() *sqlstore.DB {
	db, err := sqlstore.Open(context.Background(), f.dsn, f.clock, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	return db
}

// newWorker delivers from db to loopback receivers, waiting timeout for
// an answer.
func (f *fixture) newWorker(db *sqlstore.DB, timeout time.Duration) *webhook.Worker {
	return &webhook.Worker{Store: db, Clock: f.clock, Metrics: f.metrics, Poll: 5 * time.Millisecond,
		Client: webhook.NewClient(&webhook.Guard{AllowPrivate: true}, timeout, "test")}
}

// hook creates an active webhook of the location for kind.
func (f *fixture) hook(url, kind, secret string) int64 {
	f.t.Helper()
	id, err := f.db.Webhooks().Create(context.Background(), &checkin.Webhook{BusinessID: f.location, Name: "hook " + strings.SplitN(url, "?", 2)[0],
		Action: checkin.ActionOf(kind), URL: url, Active: true, Secret: secret})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) webhook(id int64) *checkin.Webhook {
	f.t.Helper()
	w, err := f.db.Webhooks().Find(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return w
}

// event stores an event of the location directly, as the check-in's
// transaction would, and returns its id.
func (f *fixture) event(kind string) string {
	f.t.Helper()
	f.seq++
	id := checkin.NewUUID()
	record := fmt.Sprintf(`{"Id":%d,"BusinessId":%d,"CoworkerFullName":"Member %d"}`, f.seq, f.location, f.seq)
	q := "INSERT INTO events (id, kind, occurred_on, business_id, record) VALUES (?, ?, ?, ?, ?)"
	if sqlstore.IsPostgres(f.dsn) {
		q = "INSERT INTO events (id, kind, occurred_on, business_id, record) VALUES ($1, $2, $3, $4, $5)"
	}
	if _, err := f.raw.Exec(q, id, kind, f.clock.Now(), f.location, record); err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) step() { f.worker.Step(context.Background()) }

// receiver is a real HTTP server that records every delivery and answers
// with the status its answer function gives.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []delivery
	answer func(n int) int // status for the n-th delivery (from 1)
	block  chan struct{}   // when set, deliveries wait for it to close
	delay  time.Duration   // how long each answer takes
}

type delivery struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{answer: func(int) int { return http.StatusOK }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, delivery{req.URL.Path, req.Header.Clone(), body})
		n, answer, block := len(r.got), r.answer, r.block
		r.mu.Unlock()
		time.Sleep(r.delay)
		if block != nil {
			select {
			case <-block:
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(answer(n))
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// ids returns the webhook-id of each delivery to path, in order.
func (r *receiver) ids(path string) []string {
	var out []string
	for _, d := range r.deliveries() {
		if d.path == path {
			out = append(out, d.header.Get("webhook-id"))
		}
	}
	return out
}

// records returns the record each delivery's body holds.
func records(t *testing.T, d delivery) []map[string]any {
	t.Helper()
	var recs []map[string]any
	if err := json.Unmarshal(d.body, &recs); err != nil {
		t.Fatalf("body %s is not a JSON array of records: %v", d.body, err)
	}
	return recs
}

func counter(m *webhook.Metrics, result string) int {
	var out dto.Metric
	if err := m.Deliveries.WithLabelValues(result).Write(&out); err != nil {
		panic(err)
	}
	return int(out.GetCounter().GetValue())
}
