package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// recorder remembers the status a handler wrote.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

// WriteHeader gives every 401 its WWW-Authenticate (RFC 9110, 11.6.1):
// the bearer scheme, unless the handler named its own.
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
		if status == http.StatusUnauthorized && r.Header().Get("WWW-Authenticate") == "" {
			r.Header().Set("WWW-Authenticate", `Bearer realm="checkin"`)
		}
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe logs each request and counts it in the metrics, by the route
// pattern it matched (never by its raw path, which would let clients invent
// label values).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := r.Pattern
		if route == "" || route == "/" {
			route = "unmatched"
		}
		s.Metrics.observe(route, rec.status, elapsed)
		s.Log.LogAttrs(r.Context(), levelFor(rec.status), "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
			slog.Int("status", rec.status), slog.Int("bytes", rec.bytes),
			durationMS(elapsed), slog.String("remote", r.RemoteAddr))
	})
}

// recoverPanics turns a panic in a handler into a logged 500, so that one
// bad request cannot take the process down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// levelFor logs server errors as errors, 503s as warnings and the rest as
// information.
func levelFor(status int) slog.Level {
	switch {
	case status == http.StatusServiceUnavailable:
		// An outage of the database, logged on its own (once a minute
		// for a storage failure); not a bug of the service.
		return slog.LevelWarn
	case status >= http.StatusInternalServerError:
		return slog.LevelError
	}
	return slog.LevelInfo
}
