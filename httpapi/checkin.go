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
func (s *Server) checkin(w http.ResponseWriter, r *http.Request) { s.serveCheckin(w, r, nil) }

// DoorCheckin is a check-in a door asks for (doors/): decided at the door's
// location whatever the Host, recorded with the door's id, the door
// throttled as a trusted device, and a refusal answered 403.
type DoorCheckin struct {
	Location *checkin.Business
	DoorID   int64
}

// ServeDoorCheckin decides a door's request as the public check-in does.
func (s *Server) ServeDoorCheckin(w http.ResponseWriter, r *http.Request, d DoorCheckin) {
	s.serveCheckin(w, r, &d)
}

func (s *Server) serveCheckin(w http.ResponseWriter, r *http.Request, door *DoorCheckin) {
	start := time.Now()
	body, bodyErr := readBody(r, jsonTypes...)
	answer := answerer{w: w, pascal: bodyErr == nil && access.IsPascalCase(body)}
	loc, err := s.checkinLocation(r, door)
	if err != nil {
		s.checkinError(answer, r, err)
		return
	}
	req, reqErr := checkinRequest(r, body, bodyErr)
	if loc == nil {
		out := access.Outcome{Status: http.StatusNotFound, Confirmation: checkin.Refusal(checkin.CodeInvalidAccountSubdomain, ""),
			Method: access.MethodNone, Result: checkin.CodeInvalidAccountSubdomain}
		s.logDecision(r.Context(), r.Host, req, out, start)
		answer.write(out.Status, out.Confirmation)
		return
	}
	if reqErr != nil {
		s.Log.Info("check-in refused: "+checkin.CodeInvalidRequestData, "location", loc.WebAddress, "reason", invalidReason(reqErr), "remote", r.RemoteAddr)
		s.Metrics.Checkins.WithLabelValues(string(access.MethodNone), checkin.CodeInvalidRequestData).Inc()
		out := access.Outcome{Status: http.StatusBadRequest, Confirmation: checkin.Refusal(checkin.CodeInvalidRequestData, ""),
			Method: access.MethodNone, Result: checkin.CodeInvalidRequestData}
		s.logDecision(r.Context(), loc.WebAddress, req, out, start)
		answer.write(out.Status, out.Confirmation)
		return
	}
	client := s.client(r)
	if door != nil {
		req.DoorID, client.Trusted = door.DoorID, true // a door speaks for everyone who comes to it
	}
	out, err := s.CheckIn.CheckInFrom(r.Context(), loc, req, client)
	if err != nil {
		s.checkinError(answer, r, err)
		return
	}
	s.logDecision(r.Context(), loc.WebAddress, req, out, start)
	if v := out.Throttled; v != nil {
		s.Metrics.Throttled.WithLabelValues(string(v.Kind), string(v.Scope)).Inc()
		w.Header().Set("Retry-After", strconv.FormatInt(v.RetrySeconds(), 10))
		answer.write(out.Status, out.Confirmation)
		return
	}
	if out.Refused() && (out.Method == access.MethodPincode || out.Method == access.MethodEmailPincode) {
		s.Metrics.KnowLocation(loc.WebAddress)
	}
	if out.SprayedPincodes > 0 {
		s.Metrics.PincodeSpraying.WithLabelValues(loc.WebAddress).Inc()
		s.Log.Warn("pincode spraying: many different pincodes failed at one location", "location", loc.WebAddress, "pincodes", out.SprayedPincodes)
	}
	s.Metrics.Checkins.WithLabelValues(string(out.Method), out.Result).Inc()
	status := out.Status
	if door != nil && status == http.StatusOK && out.Refused() {
		status = http.StatusForbidden // a door acts on the status alone
	}
	answer.write(status, out.Confirmation)
}

// checkinLocation is the location a check-in is decided at: the door's, or
// the one the Host names.
func (s *Server) checkinLocation(r *http.Request, door *DoorCheckin) (*checkin.Business, error) {
	if door != nil {
		return door.Location, nil
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.checkinTimeout())
	defer cancel()
	return s.location(ctx, r.Host)
}

// answerer writes a check-in's answer in the style of its request: the
// camelCase of checkin-endpoint.txt, or PascalCase with the status in the
// body for a request whose keys are PascalCase.
type answerer struct {
	w      http.ResponseWriter
	pascal bool
}

func (a answerer) write(status int, c checkin.Confirmation) {
	if a.pascal {
		writeJSON(a.w, status, c.Pascal(status))
		return
	}
	writeJSON(a.w, status, c)
}

// retryAfter is the Retry-After of a blocked attempt: whole seconds,
// rounded up.
func (s *Server) checkinTimeout() time.Duration {
	if s.CheckinTimeout > 0 {
		return s.CheckinTimeout
	}
	return DefaultCheckinTimeout
}

// checkinRequest reads the request from its body, with Basic credentials
// standing in for a missing email and password. An error says why the
// request is INVALID_REQUEST_DATA, for the log.
func checkinRequest(r *http.Request, body []byte, bodyErr error) (checkin.CheckinRequest, error) {
	if bodyErr != nil {
		return checkin.CheckinRequest{}, bodyErr
	}
	req, err := access.DecodeRequest(body)
	if err != nil {
		return req, err
	}
	email, password, err := access.ParseBasic(r.Header.Get("Authorization"))
	switch {
	case errors.Is(err, access.ErrNoBasic):
	case err != nil:
		return req, err // too long, or not email:password
	case req.Email == "" && req.Password == "":
		req.Email, req.Password = email, password
	}
	return req, nil
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
// of a refusal: 503 while the database is unavailable, 500 otherwise. A
// client that went away before its answer is not a server error: it is
// logged as such and answered 499, which no one reads.
func (s *Server) checkinError(a answerer, r *http.Request, err error) {
	code := checkin.ErrorCode(err)
	if r.Context().Err() != nil {
		s.Log.Info("check-in not decided: the client went away", "remote", r.RemoteAddr)
		a.write(statusClientClosed, checkin.Refusal("CLIENT_CLOSED_REQUEST", "The client went away before its answer."))
		return
	}
	if code == checkin.EINTERNAL && errors.Is(err, context.DeadlineExceeded) {
		code = checkin.EUNAVAILABLE
	}
	if code == checkin.EUNAVAILABLE {
		s.unavailable(a.w, r, err)
		a.write(http.StatusServiceUnavailable, checkin.Refusal("SERVICE_UNAVAILABLE", "The service is temporarily unavailable; try again shortly."))
		return
	}
	s.Log.Error("check-in not decided", "err", err)
	a.write(http.StatusInternalServerError, checkin.Refusal("INTERNAL_ERROR", "The check-in could not be decided because of an internal error."))
}

// statusClientClosed is the status logged and counted for a request whose
// client went away before its answer (nginx's 499): not a server error.
const statusClientClosed = 499

// invalidReason words why a check-in request is INVALID_REQUEST_DATA, for
// the log.
func invalidReason(err error) string {
	var appErr *checkin.Error
	if errors.As(err, &appErr) {
		return appErr.Message
	}
	return err.Error()
}
