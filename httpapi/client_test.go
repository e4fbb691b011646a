package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	prefixes := func(ss ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, s := range ss {
			out = append(out, netip.MustParsePrefix(s))
		}
		return out
	}
	proxies := prefixes("10.0.0.0/8", "fd00::/8")
	for _, tc := range []struct {
		name, remote string
		forwarded    []string
		want         string
		trusted      bool
	}{
		{"direct", "203.0.113.5:4000", nil, "203.0.113.5", false},
		{"X-Forwarded-For from an untrusted address is ignored", "203.0.113.5:4000", []string{"198.51.100.7"}, "203.0.113.5", false},
		{"a trusted proxy", "10.0.0.2:4000", []string{"198.51.100.7"}, "198.51.100.7", false},
		{"what the client wrote left of the proxy's entry is ignored", "10.0.0.2:4000", []string{"1.1.1.1, 198.51.100.7"}, "198.51.100.7", false},
		{"a chain of trusted proxies", "10.0.0.2:4000", []string{"198.51.100.7, 10.0.0.9", "10.1.1.1"}, "198.51.100.7", false},
		{"with a port, IPv6", "[fd00::1]:4000", []string{"[2001:db8::7]:5555"}, "2001:db8::7", false},
		{"an unreadable hop stops at the last proxy", "10.0.0.2:4000", []string{"198.51.100.7, unknown, 10.0.0.9"}, "10.0.0.9", false},
		{"only proxies: the left-most", "10.0.0.2:4000", []string{"10.0.0.3"}, "10.0.0.3", false},
		{"a proxy with no header", "10.0.0.2:4000", nil, "10.0.0.2", false},
		{"an IPv4-mapped address", "[::ffff:203.0.113.5]:4000", nil, "203.0.113.5", false},
		{"a trusted device", "192.0.2.10:4000", nil, "192.0.2.10", true},
		{"a trusted device behind a proxy", "10.0.0.2:4000", []string{"192.0.2.10"}, "192.0.2.10", true},
		{"a device that only claims to be trusted", "203.0.113.5:4000", []string{"192.0.2.10"}, "203.0.113.5", false},
	} {
		s := &Server{TrustedProxies: proxies, TrustedDevices: prefixes("192.0.2.10/32")}
		r := httptest.NewRequest("POST", "/api/public/checkin", nil)
		r.RemoteAddr = tc.remote
		for _, v := range tc.forwarded {
			r.Header.Add("X-Forwarded-For", v)
		}
		got := s.client(r)
		if got.Addr.String() != tc.want || got.Trusted != tc.trusted {
			t.Errorf("%s: client %v (trusted %v), want %s (trusted %v)", tc.name, got.Addr, got.Trusted, tc.want, tc.trusted)
		}
	}
}
