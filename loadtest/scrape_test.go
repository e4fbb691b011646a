package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestMemoNote: the note gives the phase's share of decisions answered
// from memory, from the server's counters before and after it, and is
// left out when the memo answered none (PostgreSQL, memo=off) or the
// metrics cannot be read.
func TestMemoNote(t *testing.T) {
	var decided, fromMemory int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "# TYPE checkin_decisions_total counter\n")
		fmt.Fprintf(w, "checkin_decisions_total{method=\"card\",result=\"checked_in\"} %d\n", decided/2)
		fmt.Fprintf(w, "checkin_decisions_total{method=\"mac\",result=\"checked_in\"} %d\n", decided-decided/2)
		fmt.Fprintf(w, "# TYPE checkin_memo_decisions_total counter\ncheckin_memo_decisions_total %d\n", fromMemory)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()
	tests := []struct {
		name                string
		decided, fromMemory int
		wantNote            string
	}{
		{"the memo answered", 1000, 700, "sqlite card=1: 600 of 900 decisions answered from memory alone (67 %), warm-up included"},
		{"no memo", 1000, 100, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			decided, fromMemory = 100, 100
			d, m, err := decisionCounts(ctx, addr)
			if err != nil || d != 100 || m != 100 {
				t.Fatalf("before: %v decided, %v from memory, %v; want 100, 100", d, m, err)
			}
			decided, fromMemory = tc.decided, tc.fromMemory
			if got := memoNote(ctx, "sqlite", "card=1", addr, d, m); got != tc.wantNote {
				t.Errorf("note %q, want %q", got, tc.wantNote)
			}
		})
	}
	if got := memoNote(ctx, "sqlite", "card=1", "127.0.0.1:1", 0, 0); got != "" {
		t.Errorf("with no server: note %q, want none", got)
	}
}
