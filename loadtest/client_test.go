package loadtest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRoundTrip sends requests through conn to a net/http server that
// answers in each way HTTP/1.1 allows, and counts the connections used.
func TestRoundTrip(t *testing.T) {
	big := strings.Repeat("x", 50_000)
	tests := []struct {
		path      string
		status    int
		body      string
		wantConns int64 // for three requests
	}{
		{"/length", 200, `{"wasSuccessful":true}`, 1},
		{"/chunked", 200, big, 1},
		{"/close", 429, "slow down", 3},
		{"/empty", 404, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if string(body) != `{"mac":"x"}` || r.Host != "bench.localhost" || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("the server got %s %q with Host %q", r.Method, body, r.Host)
				}
				if tt.path == "/close" {
					w.Header().Set("Connection", "close")
				}
				w.WriteHeader(tt.status)
				for rest := tt.body; rest != ""; { // many writes: chunked once past net/http's buffer
					n := min(1000, len(rest))
					io.WriteString(w, rest[:n])
					rest = rest[n:]
				}
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			c := newConn(srv.Listener.Addr().String())
			defer c.close()
			req := appendRequest(nil, tt.path, "bench.localhost", []byte(`{"mac":"x"}`))
			for range 3 {
				status, body, err := c.roundTrip(req)
				if err != nil || status != tt.status || string(body) != tt.body {
					t.Fatalf("roundTrip = %d, %d bytes, %v; want %d, %d bytes", status, len(body), err, tt.status, len(tt.body))
				}
			}
			if got := conns.Load(); got != tt.wantConns {
				t.Errorf("three requests used %d connections, want %d", got, tt.wantConns)
			}
		})
	}
}

func TestRoundTripRedialsAfterAnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { // the first connection gets garbage, the second a good answer
		for i := 0; ; i++ {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			nc.Read(buf)
			answer := "garbage\r\n\r\n"
			if i > 0 {
				answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
			}
			nc.Write([]byte(answer))
			nc.Close()
		}
	}()
	defer ln.Close()
	c := newConn(ln.Addr().String())
	req := appendRequest(nil, "/", "h", nil)
	if _, _, err := c.roundTrip(req); !errors.Is(err, errMalformed) {
		t.Fatalf("first answer: error %v, want errMalformed", err)
	}
	status, body, err := c.roundTrip(req)
	if err != nil || status != 200 || string(body) != "ok" {
		t.Errorf("after a redial: %d %q %v, want 200 \"ok\"", status, body, err)
	}
}

func TestClassify(t *testing.T) {
	card, unknownCard := MethodNamed("card"), MethodNamed("unknown_card")
	success := `{"wasSuccessful":true,"message":"2026-06-16T00:00:00 UTC","value":{}}`
	refusal := `{"wasSuccessful":false,"message":"Invalid card number.","errors":[{"propertyName":"EventCheckIn","message":"INVALID_CARD_NUMBER"}]}`
	other := `{"wasSuccessful":false,"message":"x","errors":[{"propertyName":"EventCheckIn","message":"NO_ACCESS_TO_SPACE"}]}`
	tests := []struct {
		name   string
		status int
		body   string
		err    error
		m      *Method
		check  bool
		want   verdict
	}{
		{"success expected", 200, success, nil, card, true, answerOK},
		{"refusal expected", 200, refusal, nil, unknownCard, true, answerOK},
		{"a member refused", 200, refusal, nil, card, true, answerUnexpected},
		{"an unknown card let in", 200, success, nil, unknownCard, true, answerUnexpected},
		{"the wrong refusal", 200, other, nil, unknownCard, true, answerUnexpected},
		{"throttled", 429, refusal, nil, unknownCard, true, answerUnexpected},
		{"bad request", 400, refusal, nil, card, true, answerUnexpected},
		{"unavailable", 503, refusal, nil, card, true, answerError},
		{"internal error", 500, "", nil, card, false, answerError},
		{"transport error", 0, "", io.ErrUnexpectedEOF, card, true, answerError},
		{"unchecked 200", 200, "anything", nil, unknownCard, false, answerOK},
	}
	for _, tt := range tests {
		if got := classify(tt.status, []byte(tt.body), tt.err, tt.m, tt.check); got != tt.want {
			t.Errorf("%s: classify = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestAppendRequestDoesNotAllocate(t *testing.T) {
	buf, body := make([]byte, 0, 512), make([]byte, 0, 128)
	m := MethodNamed("email_pincode")
	allocs := testing.AllocsPerRun(100, func() {
		body = m.body(body[:0], 1234)
		buf = appendRequest(buf[:0], CheckinPath, "bench.localhost:8080", body)
	})
	if allocs != 0 {
		t.Errorf("building a request allocates %v times, want 0", allocs)
	}
}
