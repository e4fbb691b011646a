package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/checkin-oss/checkin"
)

// eventsPath is the live stream of check-ins, check-outs and refusals.
const eventsPath = "/api/spaces/checkins/events"

// EventReader reads the stored events in order; the SQL store is one.
type EventReader interface {
	// EventsAfter returns, in order, up to limit events after afterSeq at
	// the locations (all when none), never one below a Seq it returned.
	EventsAfter(ctx context.Context, afterSeq int64, businessIDs []int64, limit int) ([]checkin.Event, error)
	// EventSeq returns the Seq of the event with that id, if it is kept.
	EventSeq(ctx context.Context, id string) (int64, bool, error)
	// EventCursor returns a Seq from which EventsAfter returns every event
	// stored from now on.
	EventCursor(ctx context.Context) (int64, error)
}

// EventStream serves the live stream of events as server-sent events
// (EVENTS.md): the admin API's GET /api/spaces/checkins/events, and any
// page that authenticates its users its own way (the console) and calls
// Serve itself. It polls the store, so that it sees the events every
// instance stores.
type EventStream struct {
	Events EventReader
	Log    *slog.Logger
	// Poll is how often the store is read (default 250 ms).
	Poll time.Duration
	// KeepAlive is how often a comment is sent when nothing happens, so
	// that proxies keep the connection open (default 15 s).
	KeepAlive time.Duration
}

// streamKinds are the events the stream carries.
var streamKinds = []string{checkin.EventCheckin, checkin.EventCheckout, checkin.EventCheckinFailed}

// Serve streams the events of the locations (every location when nil) to
// the client until it goes away. It starts after the event the request's
// Last-Event-ID names, when that event is still kept, else with the events
// stored from now on. The caller has authenticated the user and decided
// the locations they may see.
func (es *EventStream) Serve(w http.ResponseWriter, r *http.Request, locations []int64) {
	ctx := r.Context()
	cursor, resumed, err := es.start(ctx, r.Header.Get("Last-Event-ID"))
	if err != nil {
		es.log().Warn("event stream: could not start", "err", err)
		http.Error(w, "The event stream is unavailable; try again.", http.StatusServiceUnavailable)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if !resumed && r.Header.Get("Last-Event-ID") != "" {
		fmt.Fprint(w, ": the Last-Event-ID is not kept any more; streaming from now\n\n")
	}
	fmt.Fprintf(w, "retry: 2000\n\n")
	if rc.Flush() != nil {
		return
	}
	poll := time.NewTicker(cmpOr(es.Poll, 250*time.Millisecond))
	defer poll.Stop()
	keepAlive := cmpOr(es.KeepAlive, 15*time.Second)
	quiet := time.Now()
	for {
		events, err := es.Events.EventsAfter(ctx, cursor, locations, 0)
		if err != nil {
			if ctx.Err() == nil {
				es.log().Warn("event stream: read failed; will retry", "err", err)
			}
		}
		for _, e := range events {
			cursor = e.Seq
			if !slices.Contains(streamKinds, e.Kind) {
				continue
			}
			fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", e.ID, e.Kind, e.Record)
			quiet = time.Now()
		}
		if time.Since(quiet) >= keepAlive {
			fmt.Fprint(w, ": keep-alive\n\n")
			quiet = time.Now()
		}
		if rc.Flush() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
	}
}

// start returns the Seq the stream goes on from, and whether it is the
// one the client's Last-Event-ID names.
func (es *EventStream) start(ctx context.Context, lastID string) (int64, bool, error) {
	if lastID != "" && len(lastID) <= 64 {
		seq, ok, err := es.Events.EventSeq(ctx, lastID)
		if err != nil || ok {
			return seq, ok, err
		}
	}
	seq, err := es.Events.EventCursor(ctx)
	return seq, false, err
}

func (es *EventStream) log() *slog.Logger {
	if es.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return es.Log
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// events is GET /api/spaces/checkins/events: the stream, with the roles
// and locations of the check-in list; BusinessId narrows it to one.
func (s *Server) events(_ *Server, w http.ResponseWriter, r *http.Request) {
	values, err := queryValues(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	locations := locationsOf(checkin.UserFrom(r.Context()))
	if raw := values.Get("BusinessId"); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			s.writeError(w, r, checkin.Invalid("BusinessId", raw, "must be a location's id"))
			return
		}
		if locations != nil && !slices.Contains(locations, id) {
			s.writeError(w, r, checkin.Errorf(checkin.ENOTFOUND, "Business %d was not found.", id))
			return
		}
		locations = []int64{id}
	}
	s.Events.Serve(w, r, locations)
}

// locationsOf returns the locations a user may see, nil for all. Users
// are not scoped to locations yet (API.md, "Users scoped to locations"):
// every user who may list check-ins sees every location.
func locationsOf(u *checkin.User) []int64 { return nil }
