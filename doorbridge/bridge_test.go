package doorbridge_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doorbridge"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// service is the whole service behind a switch: while down, every
// connection is dropped unanswered, as when the network or the service is
// gone; tamper, when set, rewrites allow-list bodies on their way.
type service struct {
	*apitest.API
	URL    string
	down   atomic.Bool
	tamper atomic.Pointer[func([]byte) []byte]
}

func newService(t *testing.T, dialect string) *service {
	a := apitest.New(t, dialect, checkin.NewManualClock(storetest.Start))
	s := &service{API: a}
	h := a.Server.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		fn := s.tamper.Load()
		if fn == nil || r.URL.Path != doors.AllowlistPath {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write((*fn)(rec.Body.Bytes()))
	}))
	t.Cleanup(ts.Close)
	s.URL = ts.URL
	return s
}

func each(t *testing.T, fn func(t *testing.T, s *service)) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, newService(t, dialect))
		})
	}
}

// newDoor creates a door and returns its id and key.
func newDoor(t *testing.T, a *apitest.API, loc int64) (int64, string) {
	t.Helper()
	r := a.Want(a.Do("POST", checkin.Doors.Path, a.AdminToken(), map[string]any{"BusinessId": loc, "Name": "Front"}), http.StatusOK, "door")
	v := r.Object(t)["Value"].(map[string]any)
	return apitest.Int(t, v["Id"]), v["Key"].(string)
}

func newMember(t *testing.T, a *apitest.API, loc int64, card string) int64 {
	t.Helper()
	n := a.Next()
	return a.Create(a.AdminToken(), checkin.Coworkers.Path, map[string]any{"BusinessId": loc, "FullName": fmt.Sprint("Member ", n),
		"Email": fmt.Sprintf("m%d@example.com", n), "AccessCardId": card})
}

func (s *service) bridge(t *testing.T, key, dir string) *doorbridge.Bridge {
	return &doorbridge.Bridge{Server: s.URL, Key: key, Dir: dir, Clock: s.Clock, Timeout: 5 * time.Second}
}

func (s *service) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	if s.Dialect == "postgres" {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	var n int
	if err := s.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBridgeOnlineOfflineAndBack(t *testing.T) {
	each(t, func(t *testing.T, s *service) {
		ctx := context.Background()
		loc := s.NewLocation()
		doorID, key := newDoor(t, s.API, loc)
		stays := newMember(t, s.API, loc, "A-1")
		leaves := newMember(t, s.API, loc, "B-1")
		b := s.bridge(t, key, t.TempDir())
		if !b.Decide(ctx, "A-1") || !b.Decide(ctx, "b-1") || b.Decide(ctx, "Z-9") {
			t.Fatal("online decisions: want A-1 and B-1 in, Z-9 out")
		}
		if err := b.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		before := b.List()

		rec := s.Get(s.AdminToken(), fmt.Sprintf("%s/%d", checkin.Coworkers.Path, leaves))
		rec["Active"] = false
		s.Want(s.Do("PUT", checkin.Coworkers.Path, s.AdminToken(), rec), http.StatusOK, "deactivate")
		if err := b.RefreshList(ctx); err != nil {
			t.Fatal(err)
		}
		if b.List() == before || len(b.List().Entries) != 1 || b.List().Entries[0].CoworkerID != stays {
			t.Fatalf("after the deactivation the bridge holds %+v", b.List())
		}

		s.down.Store(true)
		s.Clock.Advance(time.Hour)
		if !b.Decide(ctx, "A-1") {
			t.Error("offline: a listed card is denied")
		}
		if b.Decide(ctx, "B-1") || b.Decide(ctx, "Z-9") {
			t.Error("offline: a deactivated or unknown card is admitted")
		}
		if err := b.Sync(ctx); err == nil {
			t.Error("a sync with the service down reports no error")
		}
		restarted := s.bridge(t, key, b.Dir) // a bridge restarted offline decides from the list kept on disk
		if !restarted.Decide(ctx, "A-1") {
			t.Error("a restarted bridge denies a listed card offline")
		}
		s.Clock.Set(b.List().ExpiresAt)
		if b.Decide(ctx, "A-1") {
			t.Error("the bridge admits after the list's ExpiresAt")
		}

		s.down.Store(false)
		if err := b.Upload(ctx); err != nil {
			t.Fatal(err)
		}
		if n := s.count(t, "SELECT count(*) FROM door_events WHERE door_id = ?", doorID); n != 5 {
			t.Errorf("door events stored = %d, want 5", n)
		}
		if n := s.count(t, "SELECT count(*) FROM failed_checkins WHERE door_id = ?", doorID); n != 1+3 {
			t.Errorf("FailedCheckins of the door = %d, want 4 (Z-9 online; B-1, Z-9 and A-1 after expiry offline)", n)
		}
		if err := b.Upload(ctx); err != nil {
			t.Fatal(err)
		}
		if err := restarted.Upload(ctx); err != nil {
			t.Fatal(err)
		}
		if n := s.count(t, "SELECT count(*) FROM door_events WHERE door_id = ?", doorID); n != 5 {
			t.Errorf("door events after uploading again = %d, want 5", n)
		}
	})
}

func TestBridgeRefusesATamperedList(t *testing.T) {
	each(t, func(t *testing.T, s *service) {
		ctx := context.Background()
		loc := s.NewLocation()
		_, key := newDoor(t, s.API, loc)
		newMember(t, s.API, loc, "A-1")
		b := s.bridge(t, key, t.TempDir())
		if err := b.RefreshList(ctx); err != nil {
			t.Fatal(err)
		}
		good := b.List()
		newMember(t, s.API, loc, "B-1")
		tamper := func(body []byte) []byte {
			return bytes.Replace(body, []byte(`"ExpiresAt":"2026-06-16`), []byte(`"ExpiresAt":"2036-06-16`), 1)
		}
		s.tamper.Store(&tamper)
		if err := b.RefreshList(ctx); !errors.Is(err, doors.ErrBadSignature) {
			t.Fatalf("a tampered list: err = %v, want ErrBadSignature", err)
		}
		if b.List() != good {
			t.Error("the bridge replaced its list with a tampered one")
		}

		s.tamper.Store(nil)
		if err := b.RefreshList(ctx); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(b.Dir, "allowlist.json")
		body, _ := os.ReadFile(path)
		if err := os.WriteFile(path, tamper(body), 0o600); err != nil {
			t.Fatal(err)
		}
		s.down.Store(true)
		if s.bridge(t, key, b.Dir).Decide(ctx, "A-1") {
			t.Error("a bridge admitted from a list changed on its disk")
		}
	})
}
