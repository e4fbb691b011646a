package access_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestPostgresOutage cuts the connection between the service and
// PostgreSQL under a steady load of check-ins, through a TCP proxy: the
// service says it is not ready, answers check-ins 503 within a second
// instead of hanging, never panics; once the connection is back it
// recovers by itself, and the database holds every check-in answered as
// successful and no duplicate.
func TestPostgresOutage(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skip(storetest.PostgresEnv + " is not set: the outage is PostgreSQL's")
	}
	for _, how := range []cut{refuse, blackhole} {
		t.Run(how.String(), func(t *testing.T) {
			o := newOutage(t)
			o.startLoad()
			o.wantReady(http.StatusOK)
			o.proxy.cutOff(how)
			cutAt := time.Now()
			o.waitReady(http.StatusServiceUnavailable, 10*time.Second)
			t.Logf("/readyz answered 503 %v after the cut", time.Since(cutAt).Round(time.Millisecond))
			o.wantCheckinsUnavailable(5)
			o.waitDecided(0) // the load goes on, undecided, while the database is away
			o.proxy.restore()
			restoredAt := time.Now()
			o.waitReady(http.StatusOK, 20*time.Second)
			t.Logf("/readyz answered 200 %v after the connection came back", time.Since(restoredAt).Round(time.Millisecond))
			o.waitCheckin(20 * time.Second)
			t.Logf("a check-in succeeded %v after the connection came back", time.Since(restoredAt).Round(time.Millisecond))
			o.waitDecided(40)
			o.stopLoad()
			o.load.Check(t, o.sql)
			if got := o.load.Statuses(); got[http.StatusInternalServerError] != 0 || got[http.StatusServiceUnavailable] == 0 {
				t.Errorf("the load's answers by status = %v, want 503s and no 500; errors logged:\n%s", got, o.logged("level=ERROR"))
			}
			if logs := o.logs.String(); strings.Contains(logs, "panic") {
				t.Errorf("the server panicked:\n%s", logs)
			}
		})
	}
}

// outage is a server on PostgreSQL behind a proxy, under a load of
// toggles.
type outage struct {
	*fixture
	t        *testing.T
	proxy    *tcpProxy
	sql      *sql.DB
	logs     *apitest.LogBuffer
	load     *apitest.Toggles
	pincodes []string
	stop     context.CancelFunc
	stopped  chan struct{}
}

func newOutage(t *testing.T) *outage {
	dsn := storetest.DSN(t, "postgres")
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.addr
	clock := checkin.NewManualClock(storetest.Start)
	f := newFixture(t, openStore(t, u.String(), clock), clock)
	o := &outage{fixture: f, t: t, proxy: proxy, sql: storetest.SQL(t, dsn), logs: &apitest.LogBuffer{}}
	o.url = f.serve(func(s *httpapi.Server) { s.Log = slog.New(slog.NewTextHandler(o.logs, nil)) })
	for i := range 8 {
		o.pincodes = append(o.pincodes, fmt.Sprintf("70%02d", i))
		f.member(memberSpec{name: fmt.Sprintf("Member %d", i), email: fmt.Sprintf("m%d@example.com", i), pincode: o.pincodes[i]})
	}
	o.load = apitest.NewToggles(o.url, "acme.localhost")
	return o
}

func (o *outage) startLoad() {
	ctx, stop := context.WithCancel(context.Background())
	o.stop, o.stopped = stop, make(chan struct{})
	go func() { o.load.Run(ctx, 4, o.pincodes); close(o.stopped) }()
	o.t.Cleanup(o.stopLoad)
	o.waitDecided(20)
}

func (o *outage) stopLoad() {
	o.stop()
	<-o.stopped
}

// waitDecided waits until the load has had n more requests decided.
func (o *outage) waitDecided(n int) {
	o.t.Helper()
	before, _ := o.load.Answers().Count()
	deadline := time.Now().Add(20 * time.Second)
	for {
		decided, undecided := o.load.Answers().Count()
		if decided >= before+n && (n > 0 || undecided > 0) {
			return
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("the load: %d decided, %d undecided; waited for %d more decided", decided, undecided, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (o *outage) readyz() (int, time.Duration) {
	start := time.Now()
	resp, err := http.Get(o.url + "/readyz")
	if err != nil {
		o.t.Fatalf("/readyz: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

func (o *outage) wantReady(want int) {
	o.t.Helper()
	if got, _ := o.readyz(); got != want {
		o.t.Fatalf("/readyz = %d, want %d", got, want)
	}
}

// waitReady polls /readyz until it answers want.
func (o *outage) waitReady(want int, within time.Duration) {
	o.t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, took := o.readyz()
		if got == want {
			o.t.Logf("/readyz answered %d in %v", got, took.Round(time.Millisecond))
			return
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("/readyz still answers %d after %v, want %d", got, within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wantCheckinsUnavailable sends check-ins while the database is away:
// each must be answered 503 with Retry-After, within a second.
func (o *outage) wantCheckinsUnavailable(n int) {
	o.t.Helper()
	for i := range n {
		start := time.Now()
		status, header, c := o.checkin()
		took := time.Since(start)
		if status != http.StatusServiceUnavailable || header.Get("Retry-After") == "" || c.WasSuccessful {
			o.t.Errorf("check-in %d while the database is away: %d %+v (Retry-After %q), want 503", i, status, c, header.Get("Retry-After"))
		}
		if took > time.Second {
			o.t.Errorf("check-in %d while the database is away took %v, want at most a second", i, took)
		}
		o.t.Logf("check-in %d while the database is away: %d in %v", i, status, took.Round(time.Millisecond))
	}
}

// waitCheckin polls Jane's check-in until it succeeds.
func (o *outage) waitCheckin(within time.Duration) {
	o.t.Helper()
	deadline := time.Now().Add(within)
	for {
		status, _, c := o.checkin()
		if status == http.StatusOK && c.WasSuccessful {
			return
		}
		if time.Now().After(deadline) {
			o.t.Fatalf("check-ins still answer %d %+v after %v", status, c, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (o *outage) checkin() (int, http.Header, checkin.Confirmation) {
	req, _ := http.NewRequest(http.MethodPost, o.url+"/api/public/checkin", strings.NewReader(`{"pincode":"1234"}`))
	req.Host = "acme.localhost"
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		o.t.Fatalf("check-in: %v", err)
	}
	defer resp.Body.Close()
	var c checkin.Confirmation
	json.NewDecoder(resp.Body).Decode(&c)
	return resp.StatusCode, resp.Header, c
}

// logged returns the server's log lines that contain text.
func (o *outage) logged(text string) string {
	var lines []string
	for line := range strings.Lines(o.logs.String()) {
		if strings.Contains(line, text) {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "")
}
