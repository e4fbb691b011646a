package httpapi

import (
	"net/http"
	"strconv"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
	"github.com/checkin-oss/checkin/throttle"
)

// basicUser signs in the user of a request's Basic credentials, as Nexudus
// accepts them on every admin call. Credentials verified within the last
// minute are remembered by the store and cost no password hash; others are
// checked, and throttled, exactly as the password grant is.
func (s *Server) basicUser(r *http.Request) (*checkin.User, *throttle.Verdict, error) {
	email, password, err := access.ParseBasic(r.Header.Get("Authorization"))
	if err != nil {
		return nil, nil, checkin.Errorf(checkin.EUNAUTHORIZED, "The Basic credentials must be base64(email:password), each at most %d bytes.", access.MaxFieldLength)
	}
	if u, err := s.Auth.UserByRememberedPassword(r.Context(), email, password); u != nil || err != nil {
		return u, nil, err
	}
	var u *checkin.User
	blocked, err := s.checkPassword(r, email, func() (err error) {
		u, err = s.Auth.UserByPassword(r.Context(), email, password)
		return err
	})
	return u, blocked, err
}

// writeThrottled answers an attempt that was not decided because its
// client or its email is being throttled: 429 with Retry-After.
func (s *Server) writeThrottled(w http.ResponseWriter, v *throttle.Verdict) {
	s.Metrics.Throttled.WithLabelValues(string(v.Kind), string(v.Scope)).Inc()
	w.Header().Set("Retry-After", strconv.FormatInt(v.RetrySeconds(), 10))
	writeJSON(w, http.StatusTooManyRequests, errorBody{Message: v.Message()})
}
