package httpapi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/throttle"
)

// LocationResolver finds a location by its WebAddress; nil when none.
type LocationResolver interface {
	BusinessByWebAddress(ctx context.Context, addr string) (*checkin.Business, error)
}

// DefaultCheckinTimeout bounds a check-in's database work: the location
// (usually cached), then the throttle and the decision together, so that a
// door is answered 503 at once instead of waiting on a database that is
// gone. The wait for a password hash is not counted.
const DefaultCheckinTimeout = 800 * time.Millisecond

// checkin is POST /api/public/checkin.
func (s *Server) checkin(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(r.Context(), s.checkinTimeout())
	loc, err := s.location(ctx, r.Host)
	cancel()
	if err != nil {
		s.checkinError(w, r, err)
		return
	}
	req, ok := s.checkinRequest(r)
	if loc == nil {
		out := access.Outcome{Status: http.StatusNotFound, Confirmation: checkin.Refusal(checkin.CodeInvalidAccountSubdomain, ""),
			Method: access.MethodNone, Result: checkin.CodeInvalidAccountSubdomain}
		s.logDecision(r.Context(), r.Host, req, out, start)
		writeJSON(w, out.Status, out.Confirmation)
		return
	}
	if !ok {
		s.Metrics.Checkins.WithLabelValues(string(access.MethodNone), checkin.CodeInvalidRequestData).Inc()
		out := access.Outcome{Status: http.StatusBadRequest, Confirmation: checkin.Refusal(checkin.CodeInvalidRequestData, ""),
			Method: access.MethodNone, Result: checkin.CodeInvalidRequestData}
		s.logDecision(r.Context(), loc.WebAddress, req, out, start)
		writeJSON(w, out.Status, out.Confirmation)
		return
	}
	out, err := s.CheckIn.CheckInFrom(r.Context(), loc, req, s.client(r))
	if err != nil {
		s.checkinError(w, r, err)
		return
	}
	s.logDecision(r.Context(), loc.WebAddress, req, out, start)
	if v := out.Throttled; v != nil {
		s.Metrics.Throttled.WithLabelValues(string(v.Kind), string(v.Scope)).Inc()
		w.Header().Set("Retry-After", strconv.FormatInt(retryAfter(v), 10))
		writeJSON(w, out.Status, out.Confirmation)
		return
	}
	if out.SprayedPincodes > 0 {
		s.Metrics.PincodeSpraying.WithLabelValues(loc.WebAddress).Inc()
		s.Log.Warn("pincode spraying: many different pincodes failed at one location", "location", loc.WebAddress, "pincodes", out.SprayedPincodes)
	}
	s.Metrics.Checkins.WithLabelValues(string(out.Method), out.Result).Inc()
	writeJSON(w, out.Status, out.Confirmation)
}

// retryAfter is the Retry-After of a blocked attempt: whole seconds,
// rounded up.
func retryAfter(v *throttle.Verdict) int64 {
	return int64((v.RetryAfter + time.Second - 1) / time.Second)
}

func (s *Server) checkinTimeout() time.Duration {
	if s.CheckinTimeout > 0 {
		return s.CheckinTimeout
	}
	return DefaultCheckinTimeout
}

// checkinRequest reads the body, with Basic credentials standing in for a
// missing email and password.
func (s *Server) checkinRequest(r *http.Request) (checkin.CheckinRequest, bool) {
	body, err := readBody(r, jsonTypes...)
	if err != nil {
		return checkin.CheckinRequest{}, false
	}
	req, err := access.DecodeRequest(body)
	if err != nil {
		return req, false
	}
	if email, password, ok := access.BasicCredentials(r.Header.Get("Authorization")); ok && req.Email == "" && req.Password == "" {
		req.Email, req.Password = email, password
	}
	return req, true
}

// location finds the location a request's Host names: <web-address>.<base
// domain>, on any port. A Host that names no subdomain (the base domain
// itself, an IP address, another name) means --default-location; a
// subdomain that is not a location's is refused, never taken for the
// default.
func (s *Server) location(ctx context.Context, host string) (*checkin.Business, error) {
	addr := s.DefaultLocation
	if sub, ok := subdomain(host, s.BaseDomain); ok {
		addr = sub
	}
	if addr == "" {
		return nil, nil
	}
	return s.Locations.BusinessByWebAddress(ctx, addr)
}

// subdomain returns the part of host before ".<base>", without a port.
func subdomain(host, base string) (string, bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	base = strings.TrimSuffix(strings.ToLower(base), ".")
	if base == "" || !strings.HasSuffix(host, "."+base) {
		return "", false
	}
	return strings.TrimSuffix(host, "."+base), true
}

// checkinError answers a check-in that could not be decided, in the shape
// of a refusal: 503 while the database is unavailable, 500 otherwise.
func (s *Server) checkinError(w http.ResponseWriter, r *http.Request, err error) {
	code := checkin.ErrorCode(err)
	if code == checkin.EINTERNAL && r.Context().Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		code = checkin.EUNAVAILABLE
	}
	if code == checkin.EUNAVAILABLE {
		s.Log.Warn("check-in not decided: database unavailable", "err", err)
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusServiceUnavailable, checkin.Refusal("SERVICE_UNAVAILABLE", "The service is temporarily unavailable; try again shortly."))
		return
	}
	s.Log.Error("check-in not decided", "err", err)
	writeJSON(w, http.StatusInternalServerError, checkin.Refusal("INTERNAL_ERROR", "The check-in could not be decided because of an internal error."))
}
