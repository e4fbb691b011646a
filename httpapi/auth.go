package httpapi

import (
	"context"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/throttle"
)

// handlerFunc is an admin handler; it runs with the signed-in user in its
// request's context.
type handlerFunc func(s *Server, w http.ResponseWriter, r *http.Request)

// authorize lets a request through when its bearer token is valid (401
// otherwise) and its user holds the role {entity}-{action} or is an
// administrator (403 otherwise).
func (s *Server) authorize(entity, action string, h handlerFunc) http.Handler {
	return s.authenticated(func(s *Server, w http.ResponseWriter, r *http.Request) {
		if u := checkin.UserFrom(r.Context()); !u.HasRole(entity, action) {
			s.writeError(w, r, checkin.Errorf(checkin.EFORBIDDEN, "This needs the role %s-%s or a full administrator.", entity, action))
			return
		}
		h(s, w, r)
	})
}

// authenticated lets a request through when it carries a valid bearer
// token or the Basic credentials of a user (basic.go).
func (s *Server) authenticated(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, credentials, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		credentials = strings.TrimSpace(credentials)
		var u *checkin.User
		var err error
		switch {
		case strings.EqualFold(scheme, "Bearer") && credentials != "":
			u, err = s.Auth.UserByAccessToken(r.Context(), credentials)
		case strings.EqualFold(scheme, "Basic"):
			var blocked *throttle.Verdict
			if u, blocked, err = s.basicUser(r); blocked != nil {
				s.writeThrottled(w, blocked)
				return
			}
		default:
			err = checkin.Errorf(checkin.EUNAUTHORIZED, "This needs an access token (Authorization: Bearer <token>; POST /api/token issues one) or a user's email and password (Authorization: Basic).")
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		h(s, w, r.WithContext(checkin.WithUser(r.Context(), u)))
	})
}

// oauthError is the OAuth2 error answer (RFC 6749, section 5.2).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// token is POST /api/token: the password and refresh_token grants.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	fail := func(status int, code, description string) {
		writeJSON(w, status, oauthError{Error: code, Description: description})
	}
	if !hasMediaType(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		fail(http.StatusBadRequest, "unsupported_grant_type", "The body must be form-encoded (application/x-www-form-urlencoded) with a grant_type of password or refresh_token.")
		return
	}
	body, err := readBody(r, "application/x-www-form-urlencoded")
	if err != nil {
		fail(http.StatusBadRequest, "invalid_request", checkin.ErrorMessage(err))
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || hasNUL(form) {
		fail(http.StatusBadRequest, "invalid_request", "The body is not valid form encoding, or holds a NUL character.")
		return
	}
	var pair *checkin.TokenPair
	switch grant := form.Get("grant_type"); grant {
	case "password":
		if form.Get("username") == "" || form.Get("password") == "" {
			fail(http.StatusBadRequest, "invalid_request", "The password grant needs username and password.")
			return
		}
		var blocked *throttle.Verdict
		pair, blocked, err = s.passwordGrant(r, form.Get("username"), form.Get("password"))
		if blocked != nil {
			s.Metrics.Throttled.WithLabelValues(string(blocked.Kind), string(blocked.Scope)).Inc()
			w.Header().Set("Retry-After", strconv.FormatInt(blocked.RetrySeconds(), 10))
			fail(http.StatusTooManyRequests, "invalid_grant", blocked.Message())
			return
		}
	case "refresh_token":
		if form.Get("refresh_token") == "" {
			fail(http.StatusBadRequest, "invalid_request", "The refresh_token grant needs refresh_token.")
			return
		}
		pair, err = s.Auth.RefreshTokens(r.Context(), form.Get("refresh_token"))
	case "":
		fail(http.StatusBadRequest, "invalid_request", "grant_type is required: password or refresh_token.")
		return
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be password or refresh_token, not "+strconv.Quote(grant)+".")
		return
	}
	switch {
	case err == nil:
	case checkin.ErrorCode(err) == checkin.EUNAUTHORIZED:
		fail(http.StatusBadRequest, "invalid_grant", checkin.ErrorMessage(err))
		return
	default:
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tokenAnswer{AccessToken: pair.AccessToken, TokenType: "bearer",
		ExpiresIn: int64(pair.ExpiresIn.Seconds()), RefreshToken: pair.RefreshToken})
}

// passwordGrant checks an email and password and issues tokens, throttled
// as every password check is (checkPassword).
func (s *Server) passwordGrant(r *http.Request, email, password string) (*checkin.TokenPair, *throttle.Verdict, error) {
	var pair *checkin.TokenPair
	blocked, err := s.checkPassword(r, email, func() (err error) {
		pair, err = s.Auth.IssueTokens(r.Context(), email, password)
		return err
	})
	return pair, blocked, err
}

// checkPassword runs check, a password check of email, throttled. With a
// Throttle, the attempt is checked first (docs/checkin.md, "Throttling"): a
// blocked one is returned undecided, its password unchecked; a wrong
// password (check returns EUNAUTHORIZED) counts one failure against the
// client's address and the email; a success writes nothing for throttling.
func (s *Server) checkPassword(r *http.Request, email string, check func() error) (*throttle.Verdict, error) {
	ctx := r.Context()
	if s.Throttle == nil {
		return nil, check()
	}
	// Attempts from one address take turns on this instance: the wait for
	// its turn is bounded, then answered 429.
	bounded, cancel := context.WithTimeout(ctx, s.requestTimeout())
	v, done, err := s.Throttle.Check(bounded, throttle.SignIn(checkin.NormalizeEmail(email), s.client(r).Addr))
	cancel()
	defer done()
	if err != nil {
		return nil, err
	}
	if v.Blocked {
		return &v, nil
	}
	err = check()
	if checkin.ErrorCode(err) == checkin.EUNAUTHORIZED {
		// Counted even if the client has gone: it may have gone to guess again.
		counting, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.requestTimeout())
		defer cancel()
		if cerr := s.Throttle.CountFailure(counting, v); cerr != nil {
			return nil, cerr
		}
	}
	return nil, err
}

// ThrottledSignIn runs signIn, a check of email's password, throttled as
// every password check of the API is (checkPassword): for the console's
// sign-in, which so accepts what POST /api/token accepts.
func (s *Server) ThrottledSignIn(r *http.Request, email string, signIn func(ctx context.Context) error) (*throttle.Verdict, error) {
	v, err := s.checkPassword(r, email, func() error { return signIn(r.Context()) })
	if v != nil {
		s.Metrics.Throttled.WithLabelValues(string(v.Kind), string(v.Scope)).Inc()
	}
	return v, err
}

// RetryAfter is how long a blocked attempt must wait, in whole seconds.
func RetryAfter(v *throttle.Verdict) int64 { return v.RetrySeconds() }

// hasNUL reports whether a form value holds a NUL character, which no
// credential has.
func hasNUL(form url.Values) bool {
	for _, values := range form {
		for _, v := range values {
			if strings.ContainsRune(v, 0) {
				return true
			}
		}
	}
	return false
}

// hasMediaType reports whether a Content-Type header names one of want, or
// a structured type of it such as application/merge-patch+json.
func hasMediaType(header string, want ...string) bool {
	mt, _, err := mime.ParseMediaType(header)
	if err != nil {
		return false
	}
	for _, w := range want {
		if strings.EqualFold(mt, w) || strings.HasSuffix(w, "/json") && strings.HasSuffix(strings.ToLower(mt), "+json") {
			return true
		}
	}
	return false
}
