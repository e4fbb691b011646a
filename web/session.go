package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

// Cookie names. The session's cookie holds its token; the sign-in cookie
// holds the CSRF token of the sign-in form, before there is a session.
const (
	sessionCookie = "checkin_session"
	signInCookie  = "checkin_signin"
	consolePath   = "/console"
)

// csrfToken is the CSRF token of a session: a hash of its token, so that
// it need not be stored, and cannot lead back to the session's token.
func csrfToken(session string) string {
	sum := sha256.Sum256([]byte("checkin console csrf\x00" + session))
	return hex.EncodeToString(sum[:])
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// cookie is a console cookie: HttpOnly, SameSite=Lax, Secure over HTTPS.
func (p *Pages) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: consolePath, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: p.API.IsHTTPS(r)}
}

// signedIn is a console handler that runs with the signed-in user.
type signedIn func(w http.ResponseWriter, r *http.Request, v *view)

// session runs h for a request with a live session; others are sent to the
// sign-in page. A request that changes something must carry the session's
// CSRF token, or is refused 403.
func (p *Pages) session(h signedIn) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var u *checkin.User
		var err error
		c, _ := r.Cookie(sessionCookie)
		if c != nil && c.Value != "" {
			u, err = p.Store.UserBySession(r.Context(), c.Value)
		}
		if u == nil {
			if err != nil && checkin.ErrorCode(err) != checkin.EUNAUTHORIZED {
				p.failure(w, r, nil, err)
				return
			}
			if r.Method != http.MethodGet {
				p.forbidden(w, r, nil, "Your session has ended; sign in again.")
				return
			}
			http.Redirect(w, r, consolePath+"/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		v := &view{User: u, CSRF: csrfToken(c.Value)}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) || !sameToken(r.PostFormValue("csrf"), v.CSRF) {
				p.forbidden(w, r, v, "This form has expired or did not come from this console; go back, reload the page and try again.")
				return
			}
		}
		ctx := checkin.WithUser(r.Context(), u)
		h(w, r.WithContext(ctx), v)
	})
}

// sameOrigin refuses a request whose Origin header, when sent, names
// another site than the one it was sent to.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

func (p *Pages) forbidden(w http.ResponseWriter, r *http.Request, v *view, message string) {
	p.failure(w, r, v, checkin.Errorf(checkin.EFORBIDDEN, "%s", message))
}

type signInPage struct {
	*view
	Email, Next, Error string
}

// signInForm is GET /console/signin.
func (p *Pages) signInForm(w http.ResponseWriter, r *http.Request) {
	p.showSignIn(w, r, http.StatusOK, "", "")
}

func (p *Pages) showSignIn(w http.ResponseWriter, r *http.Request, status int, email, problem string) {
	token := newToken()
	http.SetCookie(w, p.cookie(r, signInCookie, token, 3600))
	next := r.FormValue("next")
	if !strings.HasPrefix(next, consolePath+"/") {
		next = consolePath
	}
	page := signInPage{view: &view{Title: "Sign in", CSRF: token}, Email: email, Next: next, Error: problem}
	p.render(w, r, status, "signin", page)
}

// signIn is POST /console/signin: the credentials, roles and throttling of
// POST /api/token; a wrong one does not tell whether the email exists.
func (p *Pages) signIn(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(signInCookie)
	if err != nil || !sameOrigin(r) || !sameToken(r.PostFormValue("csrf"), c.Value) {
		p.forbidden(w, r, nil, "This sign-in form has expired; reload the page and sign in again.")
		return
	}
	email, password := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	if email == "" || password == "" {
		p.showSignIn(w, r, http.StatusBadRequest, email, "Enter your email and your password.")
		return
	}
	var token string
	blocked, err := p.API.ThrottledSignIn(r, email, func(ctx context.Context) (err error) {
		token, err = p.Store.CreateSession(ctx, email, password)
		return err
	})
	switch {
	case blocked != nil:
		seconds := httpapi.RetryAfter(blocked)
		w.Header().Set("Retry-After", strconv.FormatInt(seconds, 10))
		p.showSignIn(w, r, http.StatusTooManyRequests, email, "Too many failed sign-ins. Wait "+plural(seconds, "second")+" and try again.")
		return
	case checkin.ErrorCode(err) == checkin.EUNAUTHORIZED:
		p.showSignIn(w, r, http.StatusUnauthorized, email, "The email or password is not right.")
		return
	case err != nil:
		p.failure(w, r, nil, err)
		return
	}
	http.SetCookie(w, p.cookie(r, signInCookie, "", -1))
	http.SetCookie(w, p.cookie(r, sessionCookie, token, 0))
	next := r.PostFormValue("next")
	if !strings.HasPrefix(next, consolePath+"/") || strings.HasPrefix(next, consolePath+"/signin") {
		next = consolePath
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut is POST /console/signout: the session ends here and now.
func (p *Pages) signOut(w http.ResponseWriter, r *http.Request, v *view) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := p.Store.DeleteSession(r.Context(), c.Value); err != nil {
			p.failure(w, r, v, err)
			return
		}
	}
	http.SetCookie(w, p.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, consolePath+"/signin", http.StatusSeeOther)
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}
