package httpapi_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// The clients of the password-grant throttling tests, named by the proxy at
// the loopback address in X-Forwarded-For.
const (
	attackerAddr = "203.0.113.5"
	adminAddr    = "198.51.100.7"
	bridgeAddr   = "192.0.2.10" // a trusted device: it does not escape the token endpoint's throttling
)

// behindProxy serves the test behind a proxy at the loopback address, with
// a trusted device.
func behindProxy(s *httpapi.Server) {
	s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	s.TrustedDevices = []netip.Prefix{netip.MustParsePrefix(bridgeAddr + "/32")}
}

// grant sends a password grant from the client at addr.
func grant(a *apitest.API, addr, email, password string) *apitest.Response {
	return a.Do("POST", "/api/token", "", tokenForm("grant_type", "password", "username", email, "password", password), "X-Forwarded-For: "+addr)
}

// wantRefused checks a decided wrong password: 400 invalid_grant.
func wantRefused(t *testing.T, r *apitest.Response, what string) {
	t.Helper()
	if r.Status != http.StatusBadRequest || r.Object(t)["error"] != "invalid_grant" {
		t.Fatalf("%s: got %s, want 400 invalid_grant", what, r)
	}
}

// wantThrottled checks a throttled password grant: 429 in OAuth2's error
// shape, with Retry-After, not stored; it returns the wait.
func wantThrottled(t *testing.T, r *apitest.Response, what string) time.Duration {
	t.Helper()
	seconds, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if r.Status != http.StatusTooManyRequests || err != nil || seconds < 1 {
		t.Fatalf("%s: got %s, Retry-After %q, want 429 with Retry-After", what, r, r.Header.Get("Retry-After"))
	}
	unit := "seconds"
	if seconds == 1 {
		unit = "second"
	}
	want := fmt.Sprintf("Too many failed attempts; try again in %d %s.", seconds, unit)
	if body := r.Object(t); len(body) != 2 || body["error"] != "invalid_grant" || body["error_description"] != want {
		t.Errorf("%s: body %s, want invalid_grant %q", what, r.Body, want)
	}
	if got := r.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, got)
	}
	return time.Duration(seconds) * time.Second
}

// throttleKeys returns the stored throttling state, one "name=failures"
// per key in name order.
func throttleKeys(t *testing.T, a *apitest.API) string {
	t.Helper()
	rows, err := a.SQL().Query("SELECT name, failures FROM throttle_keys ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, fmt.Sprintf("%s=%d", name, n))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(keys, " ")
}

// wantMetric checks a line of /metrics.
func wantMetric(t *testing.T, a *apitest.API, line string) {
	t.Helper()
	r := a.Want(a.Do("GET", "/metrics", "", nil), http.StatusOK, "/metrics")
	if !strings.Contains(string(r.Body), line+"\n") {
		t.Errorf("/metrics has no line %q", line)
	}
}

// TestTokenThrottleSlowsAnAttackerNotTheAdmin: an address guessing
// passwords at POST /api/token (one email after another, so that only its
// address key fills) is answered 429 with Retry-After after the free
// allowance, before the password is checked, while the administrator at
// another address signs in; after the wait the next attempt is decided,
// and each further failure doubles the wait. A trusted device is throttled
// like any client there.
func TestTokenThrottleSlowsAnAttackerNotTheAdmin(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		for i := 1; i <= 11; i++ { // 10 free failures, and the 11th is decided too
			wantRefused(t, grant(a, attackerAddr, fmt.Sprintf("guess%d@example.com", i), "wrong password"), fmt.Sprintf("guess %d", i))
		}
		wait := wantThrottled(t, grant(a, attackerAddr, admin.Email, admin.Password), "the right password from the attacker's address")
		if wait != time.Second {
			t.Errorf("first wait %v, want 1s", wait)
		}
		wantMetric(t, a, `checkin_throttled_total{key="address",kind="password"} 1`)

		before := throttleKeys(t, a)
		if !strings.Contains(before, "a:-1:password:"+attackerAddr+"=11") {
			t.Errorf("throttle keys %s: want the attacker's address key at 11 failures", before)
		}
		a.Want(grant(a, adminAddr, admin.Email, admin.Password), http.StatusOK, "the administrator from another address")
		if after := throttleKeys(t, a); after != before {
			t.Errorf("a success wrote throttling state: %s, then %s", before, after)
		}

		a.Clock.Advance(wait)
		a.Want(grant(a, attackerAddr, admin.Email, admin.Password), http.StatusOK, "the right password after the wait")
		wantRefused(t, grant(a, attackerAddr, "guess12@example.com", "wrong password"), "a wrong password after the wait")
		if wait := wantThrottled(t, grant(a, attackerAddr, "guess13@example.com", "wrong password"), "the next guess"); wait != 2*time.Second {
			t.Errorf("second wait %v, want 2s", wait)
		}

		for i := 1; i <= 11; i++ {
			wantRefused(t, grant(a, bridgeAddr, fmt.Sprintf("bridge%d@example.com", i), "wrong password"), fmt.Sprintf("trusted device's guess %d", i))
		}
		wantThrottled(t, grant(a, bridgeAddr, "bridge12@example.com", "wrong password"), "a trusted device")
		wantMetric(t, a, `checkin_throttled_total{key="address",kind="password"} 3`)
	}, behindProxy)
}

// TestTokenThrottleIdentityAcrossAddresses: guesses against one email from
// many addresses fill its identity key, which stops the next guess from any
// address for up to Security.Throttle.IdentityMaxDelay; the key is the one
// of password check-ins with that email (the same password), so those wait
// too, while the member's card, the account's access tokens and other
// users are untouched. The right password is accepted after the wait.
func TestTokenThrottleIdentityAcrossAddresses(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		loc := a.Create(admin.Token, businessesPath, map[string]any{"Name": "Acme", "WebAddress": "acme"})
		a.Create(admin.Token, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com",
			"Password": "jane-password", "AccessCardId": "CARD-JANE"})
		other := a.NewUser()
		for i := 1; i <= 11; i++ {
			wantRefused(t, grant(a, fmt.Sprintf("203.0.113.%d", i), "Jane@Example.com", "wrong password"), fmt.Sprintf("guess %d", i))
		}
		wait := wantThrottled(t, grant(a, "203.0.113.12", "jane@example.com", "jane-password"), "a fresh address, the same email")
		wantMetric(t, a, `checkin_throttled_total{key="identity",kind="password"} 1`)
		wantThrottled(t, grant(a, adminAddr, "jane@example.com", "jane-password"), "jane herself, for now")

		checkin := func(body string) *apitest.Response {
			return a.Do("POST", "/api/public/checkin", "", body, "Host: acme.localhost", "X-Forwarded-For: "+adminAddr)
		}
		if r := checkin(`{"email":"jane@example.com","password":"jane-password"}`); r.Status != http.StatusTooManyRequests {
			t.Errorf("a password check-in with the guessed email: got %s, want 429", r)
		}
		if r := checkin(`{"accessCardId":"CARD-JANE"}`); r.Status != http.StatusOK {
			t.Errorf("jane's card: got %s, want a decision (200)", r)
		}
		a.Want(grant(a, "203.0.113.12", other.Email, other.Password), http.StatusOK, "another user from a fresh address")
		a.Want(a.Do("GET", usersPath, admin.Token, nil), http.StatusOK, "an access token issued before")

		a.Clock.Advance(wait)
		a.Want(grant(a, adminAddr, "jane@example.com", "jane-password"), http.StatusOK, "jane after the wait")
	}, behindProxy)
}

// TestTokenThrottleSparesTheRightPassword: within the free allowance a
// client is never throttled, its right password accepted after its wrong
// ones, and any number of successes write nothing; refused refresh tokens
// (256 random bits, not guessable) are neither throttled nor counted.
func TestTokenThrottleSparesTheRightPassword(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.Admin()
		for i := 1; i <= 10; i++ {
			wantRefused(t, grant(a, adminAddr, admin.Email, "mistyped"), fmt.Sprintf("typo %d", i))
		}
		state := throttleKeys(t, a)
		for i := range 30 {
			a.Want(grant(a, adminAddr, admin.Email, admin.Password), http.StatusOK, fmt.Sprintf("sign-in %d", i+1))
		}
		for i := range 20 {
			r := a.Do("POST", "/api/token", "", tokenForm("grant_type", "refresh_token", "refresh_token", fmt.Sprintf("bogus-%d", i)), "X-Forwarded-For: "+adminAddr)
			wantRefused(t, r, "a bogus refresh token")
		}
		if after := throttleKeys(t, a); after != state {
			t.Errorf("successes and refresh tokens changed the throttling state: %s, then %s", state, after)
		}
		if !strings.Contains(state, "a:-1:password:"+adminAddr+"=10") || strings.Count(state, "=") != 2 {
			t.Errorf("throttle keys %s: want the address and the email at 10 failures each", state)
		}
		a.Want(grant(a, adminAddr, admin.Email, admin.Password), http.StatusOK, "the right password still")
	}, behindProxy)
}
