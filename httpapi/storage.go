package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/checkin-oss/checkin"
)

// storageRetryAfter is the Retry-After, in seconds, of an answer refused
// because the database cannot store changes: a full disk does not free
// itself within a second, and doors retrying every second only add load.
const storageRetryAfter = 10

// storageLogEvery is how often a storage failure that lasts is logged
// again: one clear line a minute, not one a request.
const storageLogEvery = time.Minute

// storageProbeEvery is how often, while storage fails, a request that
// fails starts a write probe in the background, so that recovery is seen
// even when nothing polls /readyz.
const storageProbeEvery = 5 * time.Second

// storageWatch follows whether the database stores changes: it is failing
// from the first storage failure until a write probe succeeds.
type storageWatch struct {
	mu        sync.Mutex
	reason    string    // while failing: the latest failure's reason; "" otherwise
	since     time.Time // the first failure
	logged    time.Time // the last line logged
	unlogged  int       // failures since that line
	lastProbe time.Time
	probing   atomic.Bool
}

func (s *Server) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

// storageFailed counts and logs a storage failure: the first at once,
// then one line a minute while they go on.
func (s *Server) storageFailed(se *checkin.StorageError) {
	s.Metrics.storageFailures.WithLabelValues(se.Reason).Inc()
	s.Metrics.storageUnavailable.Set(1)
	now := s.now()
	w := &s.storage
	w.mu.Lock()
	first, report := w.reason == "", false
	if first {
		w.since = now
	}
	w.reason = se.Reason
	w.unlogged++
	failures := w.unlogged
	if first || now.Sub(w.logged) >= storageLogEvery {
		w.logged, w.unlogged, report = now, 0, true
	}
	since := w.since
	probe := now.Sub(w.lastProbe) >= storageProbeEvery
	w.mu.Unlock()
	if report {
		msg := "storage still failing: the database refuses changes; answering 503 until a write succeeds"
		if first {
			msg = "storage failing: the database refuses changes; answering 503 with Retry-After until a write succeeds"
		}
		s.Log.LogAttrs(context.Background(), slog.LevelError, msg, slog.String("reason", se.Reason),
			slog.Int("failures", failures), slog.Time("since", since), slog.String("err", se.Err.Error()))
	}
	if probe && s.Ready != nil && w.probing.CompareAndSwap(false, true) {
		go func() {
			defer w.probing.Store(false)
			s.probeStorage(context.Background())
		}()
	}
}

// probeStorage runs the write probe and follows its result.
func (s *Server) probeStorage(ctx context.Context) error {
	err := s.Ready(ctx)
	s.storage.mu.Lock()
	s.storage.lastProbe = s.now()
	s.storage.mu.Unlock()
	if se := checkin.StorageFailure(err); se != nil {
		s.storageFailed(se)
	} else if err == nil {
		s.storageRecovered()
	}
	return err
}

// storageRecovered ends a storage failure, once a write succeeded.
func (s *Server) storageRecovered() {
	w := &s.storage
	w.mu.Lock()
	reason, since, unlogged := w.reason, w.since, w.unlogged
	w.reason, w.unlogged = "", 0
	w.mu.Unlock()
	if reason == "" {
		return
	}
	s.Metrics.storageUnavailable.Set(0)
	s.Log.Warn("storage recovered: the database stores changes again", "reason", reason,
		"failing_ms", s.now().Sub(since).Milliseconds(), "failures_unlogged", unlogged)
}

// unavailable prepares the 503 of a request that the database could not
// serve: its Retry-After, and the failure logged (a storage failure once
// a minute, not once a request). The caller writes the body.
func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	retry := 1
	if se := checkin.StorageFailure(err); se != nil {
		retry = storageRetryAfter
		s.storageFailed(se)
	} else {
		s.Log.Warn("database unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Retry-After", strconv.Itoa(retry))
}
