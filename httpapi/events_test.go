package httpapi_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// fastStream polls and keeps alive quickly, for tests.
func fastStream(s *httpapi.Server) {
	s.Events.Poll, s.Events.KeepAlive = 10*time.Millisecond, 100*time.Millisecond
}

// sse is a client of the event stream, reading it line by line.
type sse struct {
	t     *testing.T
	resp  *http.Response
	lines chan string
}

func openStream(t *testing.T, a *apitest.API, token, query, lastID string) *sse {
	t.Helper()
	req, _ := http.NewRequest("GET", a.URL+"/api/spaces/checkins/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	s := &sse{t: t, resp: resp, lines: make(chan string, 100)}
	t.Cleanup(s.close)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			s.lines <- sc.Text()
		}
		close(s.lines)
	}()
	return s
}

func (s *sse) close() { s.resp.Body.Close() }

type sseEvent struct{ id, kind, data string }

// next returns the next event, skipping comments; it fails after 15 s
// (PostgreSQL shows an event once older transactions of the server end).
func (s *sse) next() sseEvent {
	s.t.Helper()
	var e sseEvent
	timeout := time.After(15 * time.Second)
	for {
		select {
		case line, ok := <-s.lines:
			switch {
			case !ok:
				s.t.Fatalf("the stream ended; event so far %+v", e)
			case strings.HasPrefix(line, "id: "):
				e.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				e.kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				e.data = strings.TrimPrefix(line, "data: ")
			case line == "" && e.id != "":
				return e
			}
		case <-timeout:
			s.t.Fatalf("no event within 15 s")
		}
	}
}

// comment waits for a comment line and returns it.
func (s *sse) comment() string {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case line := <-s.lines:
			if strings.HasPrefix(line, ":") {
				return line
			}
		case <-timeout:
			s.t.Fatalf("no comment within 5 s")
		}
	}
}

func checkinID(t *testing.T, e sseEvent) int64 {
	t.Helper()
	var rec struct{ Id int64 }
	if err := json.Unmarshal([]byte(e.data), &rec); err != nil {
		t.Fatalf("data %q: %v", e.data, err)
	}
	return rec.Id
}

func TestEventStreamResumesFromLastEventID(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc, other := a.NewLocation(), a.NewLocation()
		admin := a.AdminToken()
		viewer := a.NewUser("Checkin-List")
		s := openStream(t, a, viewer.Token, fmt.Sprintf("?BusinessId=%d", loc), "")
		if ct := s.resp.Header.Get("Content-Type"); s.resp.StatusCode != 200 || ct != "text/event-stream" {
			t.Fatalf("got %d %s, want 200 text/event-stream", s.resp.StatusCode, ct)
		}
		a.Create(admin, apitest.Path("Checkin"), a.Sample("Checkin", other)) // another location: not shown
		first := a.Create(admin, apitest.Path("Checkin"), a.Sample("Checkin", loc))
		second := a.Create(admin, apitest.Path("Checkin"), a.Sample("Checkin", loc))
		e1, e2 := s.next(), s.next()
		if e1.kind != "CoworkerCheckin" || checkinID(t, e1) != first || checkinID(t, e2) != second {
			t.Fatalf("got %+v then %+v, want the check-ins %d and %d", e1, e2, first, second)
		}
		if c := s.comment(); c != ": keep-alive" {
			t.Errorf("comment %q, want a keep-alive", c)
		}
		s.close()

		third := a.Create(admin, apitest.Path("Checkin"), a.Sample("Checkin", loc))
		resumed := openStream(t, a, viewer.Token, fmt.Sprintf("?BusinessId=%d", loc), e1.id)
		if got := resumed.next(); checkinID(t, got) != second || got.id != e2.id {
			t.Fatalf("resumed after %s: got %+v, want the check-in %d", e1.id, got, second)
		}
		if got := resumed.next(); checkinID(t, got) != third {
			t.Fatalf("then %+v, want the check-in %d", got, third)
		}
	}, fastStream)
}

func TestEventStreamNeedsCheckinList(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for token, want := range map[string]int{"": 401, a.NewUser("Coworker-List").Token: 403} {
			r := a.Do("GET", "/api/spaces/checkins/events", token, nil)
			if r.Status != want {
				t.Errorf("got %s, want %d", r, want)
			}
		}
		r := a.Do("GET", "/api/spaces/checkins/events?BusinessId=x", a.AdminToken(), nil)
		if r.Status != 400 {
			t.Errorf("BusinessId=x: got %s, want 400", r)
		}
	}, fastStream)
}

func TestOccupancy(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		admin := a.AdminToken()
		open := a.Create(admin, apitest.Path("Checkin"), a.Sample("Checkin", loc))
		closed := a.Sample("Checkin", loc)
		closed["FromTime"], closed["ToTime"] = a.Clock.Now().Add(-2*time.Hour), a.Clock.Now().Add(-time.Hour)
		a.Create(admin, apitest.Path("Checkin"), closed)
		viewer := a.NewUser("Checkin-List")
		got := a.Get(viewer.Token, fmt.Sprintf("/api/sys/businesses/%d/occupancy", loc))
		members, _ := got["Members"].([]any)
		if fmt.Sprint(got["CheckedIn"]) != "1" || len(members) != 1 {
			t.Fatalf("occupancy %v, want the one open check-in", got)
		}
		rec := a.Get(admin, fmt.Sprintf("%s/%d", apitest.Path("Checkin"), open))
		m := members[0].(map[string]any)
		if fmt.Sprint(m["CoworkerId"]) != fmt.Sprint(rec["CoworkerId"]) || m["FullName"] != rec["CoworkerFullName"] || m["FromTime"] != rec["FromTime"] {
			t.Errorf("member %v, want the check-in's coworker %v", m, rec)
		}
		if r := a.Do("GET", fmt.Sprintf("/api/sys/businesses/%d/occupancy", loc+1000), admin, nil); r.Status != 404 {
			t.Errorf("a missing location: got %s, want 404", r)
		}
		if r := a.Do("GET", fmt.Sprintf("/api/sys/businesses/%d/occupancy", loc), a.NewUser("Coworker-List").Token, nil); r.Status != 403 {
			t.Errorf("without Checkin-List: got %s, want 403", r)
		}
		business := a.Get(admin, fmt.Sprintf("%s/%d", apitest.Path("Business"), loc))
		metrics := string(a.Do("GET", "/metrics", "", nil).Body)
		if want := fmt.Sprintf("checkin_checked_in{location=%q} 1", business["WebAddress"]); !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	})
}
