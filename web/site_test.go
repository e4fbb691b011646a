package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/web"
)

// site is the whole service with its pages, on a fresh test database.
type site struct {
	*apitest.API
	t        testing.TB
	location int64
	host     string // the location's host: <web address>.localhost
}

// withPages serves the pages beside the API, as the binary does; each
// option may change the pages' settings first.
func withPages(clock checkin.Clock, options ...func(*web.Pages)) func(*httpapi.Server) {
	return func(s *httpapi.Server) {
		s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		pages := &web.Pages{Store: s.Auth.(web.Store), API: s, Clock: clock}
		for _, o := range options {
			o(pages)
		}
		s.Pages = pages.Routes()
	}
}

func newSite(t testing.TB, dialect string, options ...func(*web.Pages)) *site {
	clock := checkin.NewManualClock(storetest.Start)
	a := apitest.New(t, dialect, clock, withPages(clock, options...))
	s := &site{API: a, t: t}
	loc := a.Sample("Business", 0)
	s.location = a.Create(a.AdminToken(), apitest.Path("Business"), loc)
	s.host = loc["WebAddress"].(string) + ".localhost"
	return s
}

// eachSite runs fn on a site of each test database.
func eachSite(t *testing.T, fn func(t *testing.T, s *site)) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			fn(t, newSite(t, dialect))
		})
	}
}

// member adds a member of the site's location and returns its Id.
func (s *site) member(name, pincode string) int64 {
	c := s.Sample("Coworker", s.location)
	c["FullName"], c["AccessPincode"] = name, pincode
	return s.Create(s.AdminToken(), apitest.Path("Coworker"), c)
}

// checkIn checks in by pincode at the site's location, as the kiosk does.
func (s *site) checkIn(pincode string) *apitest.Response {
	return s.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": pincode, "toggle": true}, "Host: "+s.host)
}

// browser is a client with cookies, as a browser is.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

type page struct {
	Status int
	Header http.Header
	Body   string
	URL    string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: s.t, base: s.URL, c: &http.Client{Jar: jar}}
}

func (b *browser) do(req *http.Request) *page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return &page{Status: resp.StatusCode, Header: resp.Header, Body: string(body), URL: resp.Request.URL.Path}
}

func (b *browser) get(path string, header ...string) *page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	setHeaders(req, header)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values, header ...string) *page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	setHeaders(req, header)
	return b.do(req)
}

func setHeaders(req *http.Request, header []string) {
	for _, h := range header {
		name, value, _ := strings.Cut(h, ":")
		if strings.EqualFold(name, "Host") {
			req.Host = strings.TrimSpace(value)
			continue
		}
		req.Header.Set(name, strings.TrimSpace(value))
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a page's forms.
func (p *page) csrf(t testing.TB) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on %s (%d):\n%s", p.URL, p.Status, p.Body)
	}
	return m[1]
}

// signIn signs the browser in to the console and returns the first page.
func (b *browser) signIn(email, password string) *page {
	b.t.Helper()
	form := b.get("/console/signin")
	return b.post("/console/signin", url.Values{"csrf": {form.csrf(b.t)}, "email": {email}, "password": {password}})
}

func (s *site) operator(roles ...string) (*browser, *apitest.User) {
	s.t.Helper()
	b := s.browser()
	var u *apitest.User
	if roles == nil {
		u = s.Admin()
	} else {
		u = s.NewUser(roles...)
	}
	if p := b.signIn(u.Email, u.Password); p.Status != http.StatusOK || !strings.HasPrefix(p.URL, "/console/") {
		s.t.Fatalf("sign-in as %s: %d at %s\n%s", u.Email, p.Status, p.URL, p.Body)
	}
	return b, u
}

func want(t testing.TB, p *page, status int, contains ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.URL, p.Status, status, p.Body)
	}
	for _, c := range contains {
		if !strings.Contains(p.Body, c) {
			t.Errorf("%s does not contain %q\n%s", p.URL, c, p.Body)
		}
	}
}

func loc(s *site) string { return fmt.Sprintf("location=%d", s.location) }

func mustRegexp(pattern string) *regexp.Regexp { return regexp.MustCompile(pattern) }
