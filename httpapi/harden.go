package httpapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/checkin-oss/checkin"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 64 << 10

// errTooLarge answers a body over maxBodyBytes.
var errTooLarge = checkin.Errorf(checkin.ETOOLARGE, "The request body is larger than %d KiB (%d bytes), the most this service reads.", maxBodyBytes>>10, maxBodyBytes)

// Paths whose answers have their own shapes, even for a body refused
// before routing.
const (
	checkinPath = "/api/public/checkin"
	tokenPath   = "/api/token"
)

// securityHeaders keep a browser from sniffing, framing, caching or
// leaking an answer: the service answers JSON only, never a page. Their
// values are shared by all answers, not allocated for each: a handler that
// changes one replaces it (Header.Set), and appending to a slice of length 1
// and capacity 1 copies it.
var securityHeaders = http.Header{
	"X-Content-Type-Options":  {"nosniff"},
	"Cache-Control":           {"no-store"},
	"Referrer-Policy":         {"no-referrer"},
	"X-Frame-Options":         {"DENY"},
	"Content-Security-Policy": {"default-src 'none'; frame-ancestors 'none'"},
}

// secureHeaders sets securityHeaders on every answer.
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range securityHeaders {
			h[k] = v
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody reads a request's body, at most maxBodyBytes of it, before any
// handler runs: a larger one is answered 413 at once (from its
// Content-Length when it has one), in the shape its route answers.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		limit := s.bodyLimit(r)
		if r.ContentLength > limit {
			s.refuseBody(w, r, tooLarge(limit))
			return
		}
		body, err := readWhole(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
		var overLimit *http.MaxBytesError
		switch {
		case errors.As(err, &overLimit):
			s.refuseBody(w, r, tooLarge(limit))
			return
		case err != nil:
			s.refuseBody(w, r, checkin.Errorf(checkin.EINVALID, "The request body could not be read."))
			return
		}
		r.Body = &heldBody{bytes.NewReader(body), body}
		next.ServeHTTP(w, r)
	})
}

// readWhole reads a body to its end: into a buffer of the length the
// request declares (net/http then ends the body there, or reports it cut
// short), else as it comes.
func readWhole(body io.Reader, length int64) ([]byte, error) {
	if length < 0 {
		return io.ReadAll(body)
	}
	b := make([]byte, length)
	_, err := io.ReadFull(body, b)
	return b, err
}

// heldBody is a body limitBody has read whole: readBody takes its bytes
// rather than copy them.
type heldBody struct {
	*bytes.Reader
	b []byte
}

func (*heldBody) Close() error { return nil }

// refuseBody answers a body that was not read, in the shape of its route:
// a check-in refusal, an OAuth2 error or the admin API's error.
func (s *Server) refuseBody(w http.ResponseWriter, r *http.Request, err *checkin.Error) {
	status := statusOf[err.Code]
	switch r.URL.Path {
	case checkinPath:
		writeJSON(w, status, checkin.Refusal(checkin.CodeInvalidRequestData, err.Message))
	case tokenPath:
		writeJSON(w, status, oauthError{Error: "invalid_request", Description: err.Message})
	default:
		s.writeError(w, r, err)
	}
}

// corsMethods and corsHeaders are what a browser page of an allowed origin
// may send.
const (
	corsMethods = "GET, POST, PUT, DELETE"
	corsHeaders = "Authorization, Content-Type"
	corsExposed = "Retry-After, WWW-Authenticate"
)

// cors lets browser pages served from the configured origins call the
// service. With no origins it adds nothing: a preflight is then answered as
// any other OPTIONS request, 404. An origin matches only exactly (in any
// letter case); a request from any other origin gets no CORS headers, so
// the browser withholds the answer from the page.
func (s *Server) cors(next http.Handler) http.Handler {
	if len(s.CORSOrigins) == 0 {
		return next
	}
	allowed := map[string]bool{}
	for _, o := range s.CORSOrigins {
		allowed[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Add("Vary", "Origin")
		origin := r.Header.Get("Origin")
		if origin == "" || !allowed[strings.ToLower(origin)] {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", corsExposed)
		next.ServeHTTP(w, r)
	})
}
