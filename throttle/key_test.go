package throttle

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	addr := Client{Addr: netip.MustParseAddr("203.0.113.9")}
	trusted := Client{Addr: addr.Addr, Trusted: true}
	for _, tc := range []struct {
		name string
		a    Attempt
		want []string // "scope" for each key, with "*" for an unchecked one
	}{
		{"password", Attempt{Kind: Password, Identity: "jane@example.com", Client: addr}, []string{"address", "identity", "location"}},
		{"pincode alone", Attempt{Kind: Pincode, Pincode: "1234", Client: addr}, []string{"address", "identity", "location"}},
		{"email and pincode", Attempt{Kind: Pincode, Identity: "jane@example.com", Pincode: "1234", Client: addr}, []string{"address", "identity", "identity*", "location"}},
		{"card from a trusted device: identity only", Attempt{Kind: Card, Identity: "CARD-1", Client: trusted}, []string{"identity"}},
		{"pincode alone from a trusted device", Attempt{Kind: Pincode, Pincode: "1234", Client: trusted}, []string{"identity"}},
		{"MAC: no location key", Attempt{Kind: MAC, Identity: "AA:BB:CC:DD:EE:01", Client: addr}, []string{"address", "identity"}},
		{"MAC from a trusted device", Attempt{Kind: MAC, Identity: "AA:BB:CC:DD:EE:01", Client: trusted}, []string{"identity"}},
		{"unknown address", Attempt{Kind: Token, Identity: "AA:BB:CC:DD:EE:01"}, []string{"identity", "location"}},
		{"sign-in at /api/token: no location key", SignIn("jane@example.com", addr.Addr), []string{"address", "identity"}},
		{"sign-in from an unknown address", SignIn("jane@example.com", netip.Addr{}), []string{"identity"}},
	} {
		var got []string
		for _, k := range tc.a.keys() {
			s := string(k.scope)
			if !k.checked {
				s += "*"
			}
			got = append(got, s)
			if strings.Contains(k.name, "1234") || strings.Contains(k.name, "jane") || strings.Contains(k.name, "CARD") {
				t.Errorf("%s: key %q holds the credential in clear", tc.name, k.name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: keys %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestKeysSeparateKindsLocationsAndIPv6Hosts(t *testing.T) {
	name := func(a Attempt) string { return a.keys()[0].name }
	v6 := func(s string) Client { return Client{Addr: netip.MustParseAddr(s)} }
	pin := Attempt{Location: 1, Kind: Pincode, Pincode: "1", Client: v6("203.0.113.9")}
	card := pin
	card.Kind = Card
	other := pin
	other.Location = 2
	if name(pin) == name(card) || name(pin) == name(other) {
		t.Errorf("one address key for two kinds or two locations: %q, %q, %q", name(pin), name(card), name(other))
	}
	a, b := pin, pin
	a.Client, b.Client = v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff::9")
	if name(a) != name(b) {
		t.Errorf("two addresses of one /64 have keys %q and %q, want one", name(a), name(b))
	}
	mapped := pin
	mapped.Client = v6("::ffff:203.0.113.9")
	if name(mapped) != name(pin) {
		t.Errorf("an IPv4-mapped address has key %q, want %q", name(mapped), name(pin))
	}
	first, last := SprayRange(1)
	for _, a := range []Attempt{pin, {Location: 1, Kind: Pincode, Identity: "e@x", Pincode: "9"}} {
		k := a.keys()
		p := k[len(k)-2].name
		if p < first || p >= last {
			t.Errorf("pincode key %q is outside the spray range [%q, %q)", p, first, last)
		}
	}
	if p := other.keys()[1].name; p >= first && p < last {
		t.Errorf("location 2's pincode key %q is inside location 1's spray range", p)
	}
}

// TestSignInKeys: a password grant at POST /api/token shares the identity
// key of password check-ins with that email (the same password), and has
// an address key of its own, apart from every location's.
func TestSignInKeys(t *testing.T) {
	addr := netip.MustParseAddr("203.0.113.9")
	signIn := SignIn("jane@example.com", addr).keys()
	checkIn := Attempt{Location: 1, Kind: Password, Identity: "jane@example.com", Client: Client{Addr: addr}}.keys()
	if signIn[1].name != checkIn[1].name {
		t.Errorf("sign-in identity key %q, password check-in's %q: want one key", signIn[1].name, checkIn[1].name)
	}
	if signIn[0].name == checkIn[0].name || !strings.HasPrefix(signIn[0].name, "a:-1:password:") {
		t.Errorf("sign-in address key %q (a password check-in's: %q), want one of its own", signIn[0].name, checkIn[0].name)
	}
}

func TestSprayingReportedOncePerWindow(t *testing.T) {
	var l Limiter
	sp := &Spray{Location: 1, Window: 10 * time.Minute, Threshold: 20}
	t0 := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	for _, step := range []struct {
		at       time.Duration
		distinct int
		want     bool
	}{
		{0, 19, false},
		{time.Minute, 20, true},
		{2 * time.Minute, 25, false}, // reported a minute ago
		{11 * time.Minute, 30, true},
	} {
		if got := l.Spraying(sp, step.distinct, t0.Add(step.at)); got != step.want {
			t.Errorf("+%v, %d pincodes: spraying %v, want %v", step.at, step.distinct, got, step.want)
		}
	}
	if l.Spraying(nil, 100, t0) {
		t.Error("spraying reported for an attempt without a pincode")
	}
}
