package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// webhookKinds are the events the benchmark's webhooks receive, one
// webhook each (the Nexudus Action numbers).
var webhookKinds = []int{36, 35, 37}

// Receiver is a fast local webhook receiver that counts what it gets.
type Receiver struct {
	URL         string
	srv         *http.Server
	mu          sync.Mutex
	n           int
	first, last time.Time
}

// StartReceiver serves a receiver that answers every delivery 204.
func StartReceiver() (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{URL: "http://" + ln.Addr().String()}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(req.Body)
		now := time.Now()
		r.mu.Lock()
		if r.n == 0 {
			r.first = now
		}
		r.n++
		r.last = now
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// Close stops the receiver.
func (r *Receiver) Close() { _ = r.srv.Close() }

// Received returns the deliveries received and the time from the first
// to the last.
func (r *Receiver) Received() (int, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n, r.last.Sub(r.first)
}

// Subscribe creates n webhooks of the location (n at most 3: check-ins,
// check-outs, refusals), all to the receiver, through the admin API.
func Subscribe(ctx context.Context, baseURL string, businessID int64, n int, to *Receiver) error {
	token, err := AdminToken(ctx, baseURL)
	if err != nil {
		return err
	}
	for i := range min(n, len(webhookKinds)) {
		body, _ := json.Marshal(map[string]any{"BusinessId": businessID, "Name": fmt.Sprintf("bench %d", i),
			"Action": webhookKinds[i], "URL": fmt.Sprintf("%s/%d", to.URL, i), "Secret": "bench-secret"})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/sys/webhooks", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("create a webhook: answer %d", resp.StatusCode)
		}
	}
	return nil
}

// drain waits until the receiver has had nothing new for two seconds, or
// a minute has passed, and returns what it received.
func (r *Receiver) drain(ctx context.Context) (int, time.Duration) {
	n, _ := r.Received()
	for quiet, deadline := 0, time.Now().Add(time.Minute); quiet < 20 && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(100 * time.Millisecond)
		m, _ := r.Received()
		if m == n {
			quiet++
		} else {
			quiet, n = 0, m
		}
	}
	return r.Received()
}
