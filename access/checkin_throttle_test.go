package access_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// throttled is the fixture's location served as the binary serves it, so
// throttled, behind a proxy at the loopback address that names each client
// in X-Forwarded-For: the tests are clients at any address they like.
type throttled struct {
	*fixture
	url  string
	logs *apitest.LogBuffer
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

const (
	attacker = "203.0.113.5"
	member   = "198.51.100.7"
	bridge   = "192.0.2.10" // a trusted device: a door bridge or a Wi-Fi controller
)

func serveThrottled(f *fixture, db *sqlstore.DB, configure func(*httpapi.Server)) *throttled {
	logs := &apitest.LogBuffer{}
	srv := wire.Server(db, nil, nil)
	srv.Log = slog.New(slog.NewTextHandler(logs, nil))
	srv.TrustedProxies = loopback
	srv.TrustedDevices = []netip.Prefix{netip.MustParsePrefix(bridge + "/32")}
	srv.CheckinTimeout = raceTimeout // a slow machine must not turn a decision into a 503
	if configure != nil {
		configure(srv)
	}
	ts := httptest.NewServer(srv.Handler())
	f.t.Cleanup(ts.Close)
	return &throttled{fixture: f, url: ts.URL, logs: logs}
}

func eachThrottled(t *testing.T, fn func(t *testing.T, s *throttled)) {
	eachFixture(t, func(t *testing.T, f *fixture) { fn(t, serveThrottled(f, f.db, nil)) })
}

// from sends a check-in body as the client whose address X-Forwarded-For
// names; it returns the status, the refusal code ("" for a success) and
// Retry-After.
func (s *throttled) from(forwardedFor, body string) (int, string, string) {
	s.t.Helper()
	status, c, h := s.exchange(s.url, "acme.localhost", body, http.Header{"X-Forwarded-For": {forwardedFor}})
	return status, code(c), h.Get("Retry-After")
}

// want checks an answer: a decision (200) with the refusal code, or "" for
// a success; or a 429 with its Retry-After.
func (s *throttled) want(what, forwardedFor, body, wantCode string) {
	s.t.Helper()
	status, got, retry := s.from(forwardedFor, body)
	switch {
	case wantCode == checkin.CodeTooManyAttempts && (status != http.StatusTooManyRequests || got != wantCode || retry == ""):
		s.t.Fatalf("%s: %d %q Retry-After %q, want 429 %s with Retry-After", what, status, got, retry, wantCode)
	case wantCode != checkin.CodeTooManyAttempts && (status != http.StatusOK || got != wantCode):
		s.t.Fatalf("%s: %d %q (Retry-After %q), want 200 %q; logs:\n%s", what, status, got, retry, wantCode, s.logs)
	}
}

// metric returns the value of a series of /metrics, "" when absent.
func (s *throttled) metric(series string) string {
	s.t.Helper()
	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return v
		}
	}
	return ""
}

func wrongPincode(i int) string { return fmt.Sprintf(`{"pincode":"9%03d"}`, i) }

// TestThrottleAddress: an address that keeps guessing pincodes waits, ever
// longer, and its 429s record nothing; a member at another address checks
// in meanwhile, and the card reader behind the attacker's address still
// works. After a day the address is free again.
func TestThrottleAddress(t *testing.T) {
	eachThrottled(t, func(t *testing.T, s *throttled) {
		for i := range 11 { // 10 free failures, and the 11th is decided too
			s.want(fmt.Sprintf("guess %d", i+1), attacker, wrongPincode(i), checkin.CodeInvalidCredentials)
		}
		if _, _, retry := s.from(attacker, wrongPincode(11)); retry != "1" {
			t.Errorf("the guess after the 11th failure: Retry-After %q, want 1", retry)
		}
		s.want("guess 12 again", attacker, wrongPincode(11), checkin.CodeTooManyAttempts)
		if n := len(s.failed()); n != 11 {
			t.Errorf("%d FailedCheckins, want 11: one per decided refusal, none for a 429", n)
		}
		s.want("Jane at another address", member, `{"pincode":"`+janePincode+`"}`, "")
		s.want("Jane's card at the attacker's address", attacker, `{"accessCardId":"card-1"}`, "")

		s.clock.Advance(time.Second)
		s.want("guess 12 after a second", attacker, wrongPincode(11), checkin.CodeInvalidCredentials)
		if _, _, retry := s.from(attacker, wrongPincode(12)); retry != "2" {
			t.Errorf("after the 12th failure: Retry-After %q, want 2 (doubled)", retry)
		}
		if got := s.metric(`checkin_throttled_total{key="address",kind="pincode"}`); got != "3" {
			t.Errorf("checkin_throttled_total for pincodes by address = %q, want 3", got)
		}
		if n := len(s.failed()); n != 12 {
			t.Errorf("%d FailedCheckins, want 12", n)
		}

		s.clock.Advance(25 * time.Hour)
		s.want("a guess a day later", attacker, wrongPincode(12), checkin.CodeInvalidCredentials)
	})
}

// TestThrottleIdentity: guesses at one member's password from many
// addresses stop at the member's identity, for passwords only: the
// member's card and pincode still work, and the password again shortly.
func TestThrottleIdentity(t *testing.T) {
	eachThrottled(t, func(t *testing.T, s *throttled) {
		guess := `{"email":"` + janeEmail + `","password":"wrong"}`
		for i := range 11 {
			s.want(fmt.Sprintf("guess %d", i+1), fmt.Sprintf("203.0.113.%d", i+1), guess, checkin.CodeInvalidCredentials)
		}
		s.want("guess 12, from yet another address", "203.0.113.99", guess, checkin.CodeTooManyAttempts)
		s.want("Jane's password meanwhile", member, `{"email":"`+janeEmail+`","password":"`+janePassword+`"}`, checkin.CodeTooManyAttempts)
		s.want("Jane's card", member, `{"accessCardId":"CARD-1"}`, "")
		s.want("Jane's pincode with her email", member, `{"email":"`+janeEmail+`","pincode":"`+janePincode+`"}`, "")
		if got := s.metric(`checkin_throttled_total{key="identity",kind="password"}`); got != "2" {
			t.Errorf("checkin_throttled_total for passwords by identity = %q, want 2", got)
		}
		s.clock.Advance(time.Second)
		s.want("Jane's password a second later", member, `{"email":"`+janeEmail+`","password":"`+janePassword+`"}`, "")
	})
}

// TestThrottleTrustedDevice: a trusted device that reports many unknown
// phones and cards is never blocked as a whole: only an identity that
// keeps failing is. The same reports from an untrusted address are.
func TestThrottleTrustedDevice(t *testing.T) {
	eachThrottled(t, func(t *testing.T, s *throttled) {
		s.set("Security.Throttle.LocationFailures", "5") // not a trusted device's limit
		for i := range 30 {
			s.want(fmt.Sprintf("unknown phone %d", i), bridge, fmt.Sprintf(`{"mac":"02:00:00:00:00:%02X"}`, i), checkin.CodeNoAccessToSpace)
			s.want(fmt.Sprintf("unknown card %d", i), bridge, fmt.Sprintf(`{"accessCardId":"X-%d"}`, i), checkin.CodeInvalidCardNumber)
		}
		s.want("Jane's phone", bridge, `{"mac":"`+janeDevice+`"}`, "")
		s.want("Jane's card", bridge, `{"accessCardId":"CARD-1"}`, "")

		for i := range 11 {
			s.want(fmt.Sprintf("one guest phone, report %d", i+1), bridge, `{"mac":"02:00:00:00:01:00"}`, checkin.CodeNoAccessToSpace)
		}
		s.want("that phone again", bridge, `{"mac":"02:00:00:00:01:00"}`, checkin.CodeTooManyAttempts)
		s.want("another phone", bridge, `{"mac":"02:00:00:00:01:01"}`, checkin.CodeNoAccessToSpace)
		if got := s.metric(`checkin_throttled_total{key="identity",kind="mac"}`); got != "1" {
			t.Errorf("checkin_throttled_total for MACs by identity = %q, want 1", got)
		}

		for i := range 11 {
			s.want(fmt.Sprintf("untrusted, phone %d", i), attacker, fmt.Sprintf(`{"mac":"02:00:00:00:02:%02X"}`, i), checkin.CodeNoAccessToSpace)
		}
		s.want("untrusted, yet another phone", attacker, `{"mac":"02:00:00:00:03:00"}`, checkin.CodeTooManyAttempts)
	})
}

// TestThrottleLocation: guesses spread over many addresses stop at the
// location's limit, for that kind of credential only, and not for trusted
// devices.
func TestThrottleLocation(t *testing.T) {
	eachThrottled(t, func(t *testing.T, s *throttled) {
		s.set("Security.Throttle.LocationFailures", "5")
		for i := range 6 {
			s.want(fmt.Sprintf("guess %d", i+1), fmt.Sprintf("203.0.113.%d", i+1), wrongPincode(i), checkin.CodeInvalidCredentials)
		}
		s.want("guess 7, from a new address", "203.0.113.99", wrongPincode(6), checkin.CodeTooManyAttempts)
		s.want("Jane's pincode, from her address", member, `{"pincode":"`+janePincode+`"}`, checkin.CodeTooManyAttempts)
		s.want("Jane's card", member, `{"accessCardId":"CARD-1"}`, "")
		s.want("Jane's pincode at a trusted kiosk", bridge, `{"pincode":"`+janePincode+`"}`, "")
		if got := s.metric(`checkin_throttled_total{key="location",kind="pincode"}`); got != "2" {
			t.Errorf("checkin_throttled_total for pincodes by location = %q, want 2", got)
		}
	})
}

// TestThrottleForwardedFor: X-Forwarded-For names the client only when the
// connection comes from a trusted proxy, and then only its right-most
// address that is not a proxy: what the client wrote left of it is ignored.
func TestThrottleForwardedFor(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		direct := serveThrottled(f, f.db, func(s *httpapi.Server) { s.TrustedProxies = nil })
		for i := range 11 {
			direct.want(fmt.Sprintf("guess %d, a new X-Forwarded-For each time", i+1), fmt.Sprintf("10.0.0.%d", i), wrongPincode(i), checkin.CodeInvalidCredentials)
		}
		direct.want("guess 12 without a trusted proxy", "10.0.0.99", wrongPincode(11), checkin.CodeTooManyAttempts)

		proxied := serveThrottled(f, f.db, nil)
		for i := range 11 {
			proxied.want(fmt.Sprintf("proxied guess %d, the client's own X-Forwarded-For", i+1), fmt.Sprintf("10.0.0.%d, %s", i, attacker), wrongPincode(i), checkin.CodeInvalidCredentials)
		}
		proxied.want("proxied guess 12", "10.0.0.99, "+attacker, wrongPincode(11), checkin.CodeTooManyAttempts)
		proxied.want("another client of the proxy", member, wrongPincode(12), checkin.CodeInvalidCredentials)
	})
}

// TestThrottleSharedByInstances: two servers on one database share the
// state: failures counted by one block the address on the other.
func TestThrottleSharedByInstances(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			clock := checkin.NewManualClock(storetest.Start)
			dsn := storetest.DSN(t, dialect)
			if dialect == "sqlite" {
				dsn += "?memo=off" // two processes on one SQLite file (docs/operations.md)
			}
			one, two := openStore(t, dsn, clock), openStore(t, dsn, clock)
			f := newFixture(t, one, clock)
			if err := two.HearOthers(context.Background()); err != nil { // the members written on the first
				t.Fatal(err)
			}
			a, b := serveThrottled(f, one, nil), serveThrottled(f, two, nil)
			for i := range 11 {
				a.want(fmt.Sprintf("guess %d on the first instance", i+1), attacker, wrongPincode(i), checkin.CodeInvalidCredentials)
			}
			b.want("guess 12 on the second instance", attacker, wrongPincode(11), checkin.CodeTooManyAttempts)
			b.want("Jane on the second instance", member, `{"pincode":"`+janePincode+`"}`, "")
		})
	}
}

// TestThrottleSettings: the limits are the location's settings.
func TestThrottleSettings(t *testing.T) {
	eachThrottled(t, func(t *testing.T, s *throttled) {
		s.set("Security.Throttle.AddressFailures", "2")
		s.set("Security.Throttle.IdentityFailures", "1000")
		for i := range 3 {
			s.want(fmt.Sprintf("card %d", i+1), attacker, fmt.Sprintf(`{"accessCardId":"X-%d"}`, i), checkin.CodeInvalidCardNumber)
		}
		s.want("card 4", attacker, `{"accessCardId":"X-4"}`, checkin.CodeTooManyAttempts)
	})
}

// TestPincodeSprayingWarns: many different pincodes failing at a location
// in a short time, from many addresses, are reported once, by a metric and
// a warning that names no pincode.
func TestPincodeSprayingWarns(t *testing.T) {
	eachThrottled(t, func(t *testing.T, s *throttled) {
		for i := range 19 {
			s.want(fmt.Sprintf("pincode %d", i+1), fmt.Sprintf("203.0.113.%d", i/5), wrongPincode(i), checkin.CodeInvalidCredentials)
		}
		if strings.Contains(s.logs.String(), "spraying") {
			t.Fatalf("spraying reported after 19 pincodes (the threshold is 20): %s", s.logs)
		}
		s.want("pincode 20", "203.0.113.9", wrongPincode(19), checkin.CodeInvalidCredentials)
		s.want("pincode 21", "203.0.113.9", wrongPincode(20), checkin.CodeInvalidCredentials)
		logs := s.logs.String()
		if strings.Count(logs, "pincode spraying") != 1 || !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "location=acme") {
			t.Errorf("want one warning of spraying at acme, logged: %s", logs)
		}
		for i := range 21 {
			pin := fmt.Sprintf("9%03d", i)
			if regexp.MustCompile(`(^|[^0-9])` + pin + `([^0-9]|$)`).MatchString(logs) {
				t.Errorf("the logs name the pincode %s: %s", pin, logs)
			}
		}
		if got := s.metric(`checkin_pincode_spraying_total{location="acme"}`); got != "1" {
			t.Errorf("checkin_pincode_spraying_total = %q, want 1", got)
		}
	})
}
