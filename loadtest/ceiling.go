package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/checkin-oss/checkin"
)

// The ceiling is the same load against a plain net/http handler that only
// decodes the request and encodes an answer of the size of a member's
// check-in: what this machine can do over HTTP before any check-in work.
// It runs as a process of its own (the tool started again with
// "ceiling-serve"), like the real server: in the tool's process it would
// share the load generator's scheduler and garbage collector, and flatter
// or wrong both figures.

// ceilingAnswer is a member's success answer with values of the seeded
// members' lengths.
var ceilingAnswer = checkin.Confirmation{
	WasSuccessful: true,
	Message:       "2026-06-16T00:00:00 UTC",
	Value: &checkin.Session{
		FullName: ptr("Member 0000001"), CoworkerID: ptr[int64](1234), TunnelID: ptr(""), CheckedIn: ptr(true),
		SessionExpire: "2026-06-16T00:00:00 UTC", SessionTimeOut: 43200,
	},
}

func ptr[T any](v T) *T { return &v }

// CeilingHandler decodes a check-in request with encoding/json and answers
// ceilingAnswer; it answers GET /readyz for StartProcess.
func CeilingHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST "+CheckinPath, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		var req checkin.CheckinRequest
		if err != nil || json.Unmarshal(body, &req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(ceilingAnswer)
	})
	return mux
}

// ServeCeiling serves CeilingHandler on addr with the service's own server
// timeouts, until ctx ends.
func ServeCeiling(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: CeilingHandler(), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
