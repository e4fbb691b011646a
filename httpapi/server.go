// Package httpapi is the service's HTTP layer: the public check-in endpoint,
// OAuth2 tokens, the admin API (one generic set of handlers serving every
// entity), health checks and metrics. It knows the store only through the
// interfaces of the checkin package.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/internal/version"
	"github.com/checkin-oss/checkin/throttle"
)

// Store is the database as the server needs it; the SQL store is one.
type Store interface {
	Repositories
	checkin.AuthService
	checkin.CheckinStore
	checkin.ThrottleStore
	LocationResolver
	EventReader
	OccupancyReader
	Ping(ctx context.Context) error
	// WriteProbe reports whether the database stores changes, for /readyz.
	WriteProbe(ctx context.Context) error
}

// Server holds what the handlers need. Set its fields, then call Handler.
type Server struct {
	Log       *slog.Logger
	Auth      checkin.AuthService
	Resources []Resource                  // the admin API's entities
	Ready     func(context.Context) error // nil when the database stores changes
	// Clock times the logging of storage failures; nil is the system's.
	Clock   checkin.Clock
	storage storageWatch
	Metrics *Metrics
	CheckIn *access.Service // decides public check-ins; nil leaves the endpoint out
	// Throttle slows down password guessing at POST /api/token; nil leaves
	// the password grant unthrottled.
	Throttle  *throttle.Limiter
	Locations LocationResolver // finds a check-in's location
	// Events serves the live stream of events; nil leaves it out.
	Events *EventStream
	// Occupancy answers who is checked in and feeds the
	// checkin_checked_in gauge; nil leaves both out.
	Occupancy OccupancyReader

	// BaseDomain is the domain under which locations are subdomains.
	BaseDomain string
	// DefaultLocation is the WebAddress used when the Host has no subdomain.
	DefaultLocation string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (--trusted-proxies).
	TrustedProxies []netip.Prefix
	// TrustedDevices are the integrations that speak for many people from
	// one address, throttled per claimed identity only (--trusted-devices).
	TrustedDevices []netip.Prefix
	// CheckinTimeout bounds a check-in's database work; zero means
	// DefaultCheckinTimeout.
	CheckinTimeout time.Duration
	// RequestTimeout bounds a request's database work; a request that runs out
	// is answered 503 instead of hanging. Zero means 5 seconds.
	RequestTimeout time.Duration
	// Routes are served beside the service's own (the doors' routes).
	Routes     []Route
	bodyLimits map[string]int64
	served     []string // the patterns Handler registered, for the API's document
	// Pages are the web pages (the kiosk, the console), by route pattern,
	// served behind the same logging, metrics and limits as the API.
	Pages map[string]http.Handler
	// CORSOrigins are the exact origins (https://app.example.com) whose
	// browser pages may call the service; none means no CORS headers at all.
	CORSOrigins []string
}

// Handler returns the service's HTTP handler with every route and the
// middleware around them.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics()
	}
	mux := &routeMux{ServeMux: http.NewServeMux()}
	mux.HandleFunc("GET "+openAPIPath, s.openAPI)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.Metrics.Handler())
	mux.HandleFunc("POST "+tokenPath, s.token)
	if s.CheckIn != nil {
		if s.CheckIn.Timeout == 0 {
			s.CheckIn.Timeout = s.checkinTimeout()
		}
		mux.HandleFunc("POST "+checkinPath, s.checkin)
	}
	if s.Events != nil {
		if s.Events.Log == nil {
			s.Events.Log = s.Log
		}
		mux.Handle("GET "+eventsPath, s.authorize("Checkin", checkin.ActionList, s.events))
	}
	if s.Occupancy != nil {
		mux.Handle("GET /api/sys/businesses/{id}/occupancy", s.authorize("Checkin", checkin.ActionList, s.occupancy))
		s.Metrics.watchCheckedIn(s.Occupancy.CheckedIn)
	}
	for _, r := range s.Resources {
		r.register(mux, s)
	}
	s.bodyLimits = map[string]int64{}
	s.registerRoutes(mux)
	for pattern, h := range s.Pages {
		mux.Handle(pattern, h)
	}
	s.served = mux.patterns
	return s.observe(s.recoverPanics(secureHeaders(s.cors(s.limitBody(s.routed(mux.ServeMux))))))
}

func (s *Server) requestTimeout() time.Duration {
	if s.RequestTimeout > 0 {
		return s.RequestTimeout
	}
	return 5 * time.Second
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": version.String()})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.probeStorage(r.Context()); err != nil {
			reason := "the database does not answer"
			if se := checkin.StorageFailure(err); se != nil {
				reason = "the database refuses changes (" + se.Reason + ")"
			} else {
				s.Log.Warn("not ready", "err", err)
			}
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": reason})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// Location returns the location a request's Host names, as the public
// check-in finds it; nil when it names none.
func (s *Server) Location(ctx context.Context, host string) (*checkin.Business, error) {
	return s.location(ctx, host)
}
