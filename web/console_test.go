package web_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func TestKioskPage(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.Create(s.AdminToken(), apitest.Path("BusinessSetting"), map[string]any{"BusinessId": s.location, "Name": checkin.SettingKioskResetSeconds, "Value": "25"})
		b := s.browser()
		p := b.get("/kiosk", "Host: "+s.host)
		want(t, p, http.StatusOK, "<h1>Location ", `data-reset-seconds="25"`, `<label for="pincode">Pincode</label>`, "Sign in with email")
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("CSP %q, want default-src 'self'", csp)
		}
		want(t, b.get("/kiosk", "Host: nowhere.localhost"), http.StatusNotFound, "There is no location at this address")
		for _, file := range []string{"/static/kiosk.js", "/static/style.css"} {
			want(t, b.get(file), http.StatusOK)
		}
	})
}

func sessionCookie(p *page) *http.Cookie {
	for _, raw := range p.Header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(raw)
		if err == nil && c.Name == "checkin_session" {
			return c
		}
	}
	return nil
}

// The session is an HttpOnly, SameSite=Lax cookie, Secure behind a trusted
// proxy that reports https; it ends after 8 hours without use and at Sign
// out.
func TestConsoleSession(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		admin := s.Admin()
		for _, https := range []bool{false, true} {
			b := s.browser()
			var header []string
			if https {
				header = []string{"X-Forwarded-Proto: https"}
			}
			form := b.get("/console/signin", header...)
			b.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			p := b.post("/console/signin", url.Values{"csrf": {form.csrf(t)}, "email": {admin.Email}, "password": {admin.Password}}, header...)
			c := sessionCookie(p)
			if p.Status != http.StatusSeeOther || c == nil {
				t.Fatalf("sign-in: %d, cookie %v", p.Status, c)
			}
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure != https {
				t.Errorf("https=%v: cookie HttpOnly=%v SameSite=%v Secure=%v", https, c.HttpOnly, c.SameSite, c.Secure)
			}
		}

		b, _ := s.operator()
		want(t, b.get("/console/now"), http.StatusOK, "Sign out")
		s.Clock.Advance(7*time.Hour + 59*time.Minute)
		want(t, b.get("/console/now"), http.StatusOK, "Sign out") // used: 8 more hours
		s.Clock.Advance(7*time.Hour + 59*time.Minute)
		want(t, b.get("/console/now"), http.StatusOK, "Sign out")
		s.Clock.Advance(8*time.Hour + time.Minute)
		if p := b.get("/console/now"); p.URL != "/console/signin" {
			t.Errorf("after 8 idle hours: at %s, want the sign-in page", p.URL)
		}

		b, _ = s.operator()
		now := b.get("/console/now")
		out := b.post("/console/signout", url.Values{"csrf": {now.csrf(t)}})
		want(t, out, http.StatusOK, "Sign in to the console")
		if p := b.get("/console/now"); p.URL != "/console/signin" {
			t.Errorf("after Sign out: at %s (%d), want the sign-in page: %.300s", p.URL, p.Status, p.Body)
		}
	})
}

// A wrong sign-in says so in the same words whether or not the email
// exists, and is throttled as POST /api/token is.
func TestConsoleSignInRefused(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		admin := s.Admin()
		b := s.browser()
		wrong := b.signIn(admin.Email, "not-the-password")
		unknown := b.signIn("nobody@example.com", "not-the-password")
		want(t, wrong, http.StatusUnauthorized, "The email or password is not right.")
		want(t, unknown, http.StatusUnauthorized, "The email or password is not right.")
		var last *page
		for range 15 {
			if last = b.signIn(admin.Email, "guess"); last.Status == http.StatusTooManyRequests {
				break
			}
		}
		want(t, last, http.StatusTooManyRequests, "Too many failed sign-ins. Wait ")
		if last.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	})
}

// Every change needs the session's CSRF token, or is refused 403 and
// changes nothing.
func TestConsoleCSRF(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.member("Jane Doe", "246810")
		s.Want(s.checkIn("246810"), http.StatusOK, "check in")
		b, _ := s.operator()
		now := b.get("/console/now?" + loc(s))
		want(t, now, http.StatusOK, "Jane Doe", "Check out")
		action := regexpFind(t, now.Body, `action="(/console/checkins/\d+/checkout[^"]*)"`)
		action = strings.ReplaceAll(action, "&amp;", "&")
		for _, c := range []struct {
			name   string
			form   url.Values
			header []string
		}{
			{"no token", url.Values{}, nil},
			{"a wrong token", url.Values{"csrf": {strings.Repeat("0", 64)}}, nil},
			{"another site", url.Values{"csrf": {now.csrf(t)}}, []string{"Origin: https://evil.example"}},
		} {
			want(t, b.post(action, c.form, c.header...), http.StatusForbidden)
			want(t, b.get("/console/now?"+loc(s)), http.StatusOK, "Jane Doe") // still checked in
		}
		signin := s.browser() // no sign-in cookie: refused
		want(t, signin.post("/console/signin", url.Values{"csrf": {"x"}, "email": {"a@b.c"}, "password": {"p"}}), http.StatusForbidden)

		done := b.post(action, url.Values{"csrf": {now.csrf(t)}})
		want(t, done, http.StatusOK, "No one is checked in.")
	})
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := mustRegexp(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in\n%s", pattern, body)
	}
	return m[1]
}

// A view whose role the user lacks is not linked and answers 403.
func TestConsoleRoles(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.member("Jane Doe", "246810")
		s.Want(s.checkIn("246810"), http.StatusOK, "check in")
		b, _ := s.operator("FailedCheckin-List")
		p := b.get("/console")
		want(t, p, http.StatusOK, ">Failed check-ins</a>")
		for _, name := range []string{">Now</a>", ">Check-ins</a>", ">Activity</a>", ">Members</a>"} {
			if strings.Contains(p.Body, name) {
				t.Errorf("a user with FailedCheckin-List only sees the link %s", name)
			}
		}
		for _, path := range []string{"/console/now", "/console/checkins", "/console/activity", "/console/members", "/console/checkins.csv"} {
			want(t, b.get(path), http.StatusForbidden)
		}

		desk, _ := s.operator("Checkin-List")
		now := desk.get("/console/now")
		want(t, now, http.StatusOK, "Jane Doe")
		if strings.Contains(now.Body, "Check out") {
			t.Error("a user without Checkin-Edit sees Check out")
		}
		admin, _ := s.operator()
		action := regexpFind(t, admin.get("/console/now").Body, `action="(/console/checkins/\d+/checkout)`)
		want(t, desk.post(action, url.Values{"csrf": {now.csrf(t)}}), http.StatusForbidden)
	})
}

func TestConsoleViews(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.member("Jane Doe", "246810")
		s.Want(s.checkIn("246810"), http.StatusOK, "check in")
		s.checkIn("999999") // refused
		b, _ := s.operator()
		want(t, b.get("/console/now?"+loc(s)), http.StatusOK, "1 checked in", "Jane Doe", "<th scope=\"col\">Since</th>")
		want(t, b.get("/console/checkins?"+loc(s)), http.StatusOK, "Jane Doe", "Download CSV")
		want(t, b.get("/console/checkins?"+loc(s)+"&q=nobody"), http.StatusOK, "No check-ins.")
		want(t, b.get("/console/failed?"+loc(s)), http.StatusOK, "No member of this location has the pincode entered.", "Download CSV")
		want(t, b.get("/console/failed?"+loc(s)+"&from=yesterday"), http.StatusBadRequest, "is not a date such as")
		want(t, b.get("/console/activity?"+loc(s)), http.StatusOK, "<svg", "Check-ins per hour", "The busiest hour was", "<th scope=\"row\">")
		csv := b.get("/console/failed.csv?" + loc(s))
		want(t, csv, http.StatusOK, "CheckinAttemptTime", "No member of this location has the pincode entered.")
		if lines := strings.Count(strings.TrimSpace(csv.Body), "\n") + 1; lines != 2 {
			t.Errorf("failed.csv has %d lines, want a header and 1 row:\n%s", lines, csv.Body)
		}
		want(t, b.get("/console/checkins.csv?"+loc(s)), http.StatusOK, "Jane Doe")
		want(t, b.get("/console/now?location=999999"), http.StatusBadRequest, "is not a location you may see")
	})
}

// Members: search by name, email or card; add; edit; deactivate; the API's
// validation errors beside their fields.
func TestConsoleMembers(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		b, _ := s.operator()
		form := b.get("/console/members/new?" + loc(s))
		want(t, form, http.StatusOK, `<label for="f-name">Name</label>`)
		bad := b.post("/console/members?"+loc(s), url.Values{"csrf": {form.csrf(t)}, "name": {""}, "email": {"not-an-email"}, "pincode": {"12ab"}})
		want(t, bad, http.StatusBadRequest,
			`<p class="error" id="e-name">Name is required.</p>`,
			`<p class="error" id="e-email">Email is not an email address such as jane@example.com.</p>`,
			`id="e-pincode">Pincode must be 1 to 16 digits.</p>`, `aria-invalid="true"`)
		added := b.post("/console/members?"+loc(s), url.Values{"csrf": {form.csrf(t)}, "name": {"Sam Lee"}, "email": {"sam@example.com"}, "pincode": {"135790"}, "card": {"card-77"}})
		want(t, added, http.StatusOK, "Sam Lee", "sam@example.com", "CARD-77")
		for _, q := range []string{"sam", "SAM@EXAMPLE", "CARD-77"} {
			want(t, b.get("/console/members?"+loc(s)+"&q="+url.QueryEscape(q)), http.StatusOK, "Sam Lee")
		}
		want(t, b.get("/console/members?"+loc(s)+"&q=nobody"), http.StatusOK, "No members found.")
		edit := regexpFind(t, added.Body, `href="(/console/members/\d+)\?`)
		page := b.get(edit + "?" + loc(s))
		want(t, page, http.StatusOK, `value="Sam Lee"`, "Deactivate")
		saved := b.post(edit+"?"+loc(s), url.Values{"csrf": {page.csrf(t)}, "name": {"Samuel Lee"}, "email": {"sam@example.com"}, "pincode": {"135790"}})
		want(t, saved, http.StatusOK, "Samuel Lee")
		s.Want(s.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "135790"}, "Host: "+s.host), http.StatusOK, "active member checks in")
		off := b.post(edit+"/deactivate?"+loc(s), url.Values{"csrf": {page.csrf(t)}})
		want(t, off, http.StatusOK, "Inactive")
		r := s.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "135790", "toggle": true}, "Host: "+s.host)
		if r.Status == http.StatusOK && strings.Contains(string(r.Body), `"wasSuccessful":true`) && !strings.Contains(string(r.Body), `"checkedIn":false`) {
			t.Errorf("a deactivated member checked in: %s", r)
		}
	})
}

// The console's stream is the API's live stream of the chosen location,
// under the console's session: a check-in arrives within 2 s.
func TestNowStream(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.member("Jane Doe", "246810")
		b, _ := s.operator()
		req, _ := http.NewRequest("GET", b.base+"/console/now/stream?"+loc(s), nil)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Fatalf("Content-Type %q", ct)
		}
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		if first := <-lines; first != "retry: 2000" {
			t.Fatalf("first line %q", first)
		}
		time.Sleep(100 * time.Millisecond) // the stream has read the check-ins before
		start := time.Now()
		s.Want(s.checkIn("246810"), http.StatusOK, "check in")
		timeout := time.After(2 * time.Second)
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatal("the stream ended")
				}
				if l == "event: CoworkerCheckin" {
					t.Logf("change after %v", time.Since(start))
					return
				}
			case <-timeout:
				t.Fatal("no CoworkerCheckin event within 2 s of a check-in")
			}
		}
	})
}

// A user limited to some locations (Businesses) sees those only: in the
// Location select, in the views, in the CSV.
func TestConsoleLocationScope(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		admin := s.AdminToken()
		other := s.Create(admin, apitest.Path("Business"), s.Sample("Business", 0))
		third := s.Create(admin, apitest.Path("Business"), s.Sample("Business", 0))
		s.member("Jane Doe", "246810")
		s.Want(s.checkIn("246810"), http.StatusOK, "check in")
		n := s.Next()
		email, password := fmt.Sprintf("desk%d@example.com", n), "desk-password"
		s.Create(admin, apitest.Path("User"), map[string]any{"Email": email, "Password": password, "FullName": "Desk",
			"Roles": []string{"Checkin-List", "FailedCheckin-List"}, "Businesses": []int64{other, third}})
		b := s.browser()
		p := b.signIn(email, password)
		want(t, p, http.StatusOK, `<label for="location">Location</label>`)
		if strings.Contains(p.Body, fmt.Sprintf(`<option value="%d"`, s.location)) {
			t.Errorf("the Location select offers a location outside the user's Businesses")
		}
		want(t, b.get("/console/now?"+loc(s)), http.StatusBadRequest, "is not a location you may see")
		want(t, b.get(fmt.Sprintf("/console/now?location=%d", other)), http.StatusOK, "No one is checked in.")
		want(t, b.get("/console/checkins.csv?"+loc(s)), http.StatusBadRequest)
	})
}

// The console's live stream is the API's: it ends when the API's streams
// are stopped (at shutdown), so that an open Now page does not hold the
// server up.
func TestConsoleStreamEndsWhenTheStreamsStop(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			stop := make(chan struct{})
			clock := checkin.NewManualClock(storetest.Start)
			a := apitest.New(t, dialect, clock, withPages(clock), func(s *httpapi.Server) {
				s.Events.Stop, s.Events.Poll = stop, 10*time.Millisecond
			})
			s := &site{API: a, t: t}
			s.location = a.Create(a.AdminToken(), apitest.Path("Business"), a.Sample("Business", 0))
			b, _ := s.operator()
			req, _ := http.NewRequest("GET", s.URL+"/console/now/stream?"+loc(s), nil)
			resp, err := b.c.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("open the stream: %v %v", resp, err)
			}
			defer resp.Body.Close()
			ended := make(chan error, 1)
			go func() {
				_, err := io.Copy(io.Discard, resp.Body)
				ended <- err
			}()
			close(stop)
			select {
			case err := <-ended:
				if err != nil {
					t.Errorf("the stream ended with %v, want its end", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the console's stream is still open 10 s after the streams were stopped")
			}
		})
	}
}
