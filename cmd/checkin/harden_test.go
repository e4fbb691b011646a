package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTheHTTPServerBoundsSlowAndLargeClients(t *testing.T) {
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	for _, tc := range []struct {
		name     string
		got, max time.Duration
	}{
		{"ReadHeaderTimeout", srv.ReadHeaderTimeout, 10 * time.Second},
		{"ReadTimeout", srv.ReadTimeout, 30 * time.Second},
		{"WriteTimeout", srv.WriteTimeout, time.Minute},
		{"IdleTimeout", srv.IdleTimeout, 5 * time.Minute},
	} {
		if tc.got <= 0 || tc.got > tc.max {
			t.Errorf("%s = %v, want more than 0 and at most %v", tc.name, tc.got, tc.max)
		}
	}
	if srv.WriteTimeout <= srv.ReadTimeout {
		t.Errorf("WriteTimeout %v is not longer than ReadTimeout %v: a slow answer would be cut off", srv.WriteTimeout, srv.ReadTimeout)
	}
	if srv.MaxHeaderBytes != 16<<10 {
		t.Errorf("MaxHeaderBytes = %d, want 16 KiB", srv.MaxHeaderBytes)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	url := "http://" + ln.Addr().String() + "/"
	for _, tc := range []struct {
		header int
		want   int
	}{{8 << 10, http.StatusOK}, {64 << 10, http.StatusRequestHeaderFieldsTooLarge}} {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("X-Padding", strings.Repeat("x", tc.header))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("a %d KiB header: %v", tc.header>>10, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("a %d KiB header: got %d, want %d", tc.header>>10, resp.StatusCode, tc.want)
		}
	}
}

func TestServeCORSOriginsReachTheHandler(t *testing.T) {
	db, err := openStore(context.Background(), filepath.Join(t.TempDir(), "c.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	unsetenv(t, "CHECKIN_CORS_ORIGINS")
	cfg := parseServeFlags(t, "--cors-origins", " https://desk.example.com, https://kiosk.example.com ")
	ts := httptest.NewServer(newHandler(context.Background(), db, cfg, slog.New(slog.DiscardHandler)))
	t.Cleanup(ts.Close)
	for _, tc := range []struct{ origin, want string }{
		{"https://kiosk.example.com", "https://kiosk.example.com"},
		{"https://desk.example.com", "https://desk.example.com"},
		{"https://elsewhere.example.com", ""},
	} {
		req, _ := http.NewRequest("OPTIONS", ts.URL+"/api/sys/users", nil)
		req.Header.Set("Origin", tc.origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.want {
			t.Errorf("a preflight from %s: Access-Control-Allow-Origin = %q, want %q", tc.origin, got, tc.want)
		}
	}
}
