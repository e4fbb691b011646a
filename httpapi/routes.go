package httpapi

import (
	"net/http"

	"github.com/checkin-oss/checkin"
)

// routed serves mux, answering in JSON where the mux would answer in plain
// text: 404 for a path no route has, and 405 with Allow for a path that has
// routes, but not for the request's method. A GET route also answers HEAD
// (the mux does that).
func (s *Server) routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// No route: ask the mux what it would answer, without answering.
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		switch probe.status {
		case http.StatusNotFound:
			s.writeError(w, r, checkin.Errorf(checkin.ENOTFOUND, "There is no route %s %s.", r.Method, r.URL.Path))
		case http.StatusMethodNotAllowed:
			allow := probe.header.Get("Allow")
			w.Header().Set("Allow", allow)
			s.writeError(w, r, checkin.Errorf(checkin.ENOTALLOWED, "%s does not answer %s; it answers %s.", r.URL.Path, r.Method, allow))
		default: // a redirect to the cleaned path
			mux.ServeHTTP(w, r)
		}
	})
}

// headerProbe records the status and headers a handler answers, and drops
// its body.
type headerProbe struct {
	header http.Header
	status int
}

func (p *headerProbe) Header() http.Header { return p.header }

func (p *headerProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

func (p *headerProbe) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return len(b), nil
}
