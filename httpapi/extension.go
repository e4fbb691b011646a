package httpapi

import (
	"net/http"
	"strings"

	"github.com/checkin-oss/checkin"
)

// Route is a route another package serves (the doors' routes), behind the
// server's middleware.
type Route struct {
	Pattern string // "POST /api/public/doors/decide"
	// Summary says what the route does, in one line, for GET /api/openapi.json
	// (openapi.go): a route without one fails the test that every served
	// route is documented.
	Summary string
	// Entity and Action, when set, need a signed-in user with the role
	// Entity-Action (or a full administrator); else the route is public and
	// authenticates its callers itself.
	Entity, Action string
	// MaxBody, when above the default of 64 KiB, bounds this route's body.
	MaxBody int64
	Handler http.HandlerFunc
}

func (s *Server) registerRoutes(mux *routeMux) {
	for _, rt := range s.Routes {
		if rt.MaxBody > maxBodyBytes {
			_, path, _ := strings.Cut(rt.Pattern, " ")
			s.bodyLimits[path] = rt.MaxBody
		}
		if rt.Entity == "" {
			mux.Handle(rt.Pattern, rt.Handler)
			continue
		}
		h := rt.Handler
		mux.Handle(rt.Pattern, s.authorize(rt.Entity, rt.Action, func(_ *Server, w http.ResponseWriter, r *http.Request) { h(w, r) }))
	}
}

// bodyLimit is the most a request's body may hold.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if n, ok := s.bodyLimits[r.URL.Path]; ok {
		return n
	}
	return maxBodyBytes
}

// WriteError answers an error as every route does: an application error by
// its status and message, anything else logged and answered 500 without
// its text.
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err)
}

// WriteJSON answers v as JSON with a status.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// ReadBody reads a JSON request body, bounded as the route's limit says.
func ReadBody(r *http.Request) ([]byte, error) { return readBody(r, jsonTypes...) }

// tooLarge answers a body over a limit.
func tooLarge(limit int64) *checkin.Error {
	if limit == maxBodyBytes {
		return errTooLarge
	}
	return checkin.Errorf(checkin.ETOOLARGE, "The request body is larger than %d KiB (%d bytes), the most this route reads.", limit>>10, limit)
}
