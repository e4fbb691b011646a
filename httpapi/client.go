package httpapi

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/checkin-oss/checkin/throttle"
)

// client is who sent a request, for throttling: the address the connection
// comes from or, when that is a trusted proxy, the address X-Forwarded-For
// names; and whether the client is a trusted device.
func (s *Server) client(r *http.Request) throttle.Client {
	addr := remoteAddr(r)
	if addr.IsValid() && within(s.TrustedProxies, addr) {
		addr = forwardedFor(r.Header.Values("X-Forwarded-For"), s.TrustedProxies, addr)
	}
	return throttle.Client{Addr: addr, Trusted: addr.IsValid() && within(s.TrustedDevices, addr)}
}

func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap().WithZone("")
}

// forwardedFor returns the right-most address of X-Forwarded-For that is
// not a trusted proxy: every proxy appends the address it received the
// request from, so everything left of that is the client's to invent. A
// hop that is not an address stops the walk at the last proxy read.
func forwardedFor(headers []string, proxies []netip.Prefix, proxy netip.Addr) netip.Addr {
	var hops []string
	for _, h := range headers {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		addr, ok := parseHop(hops[i])
		if !ok {
			return proxy
		}
		if !within(proxies, addr) {
			return addr
		}
		proxy = addr
	}
	return proxy
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a port.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

func within(prefixes []netip.Prefix, addr netip.Addr) bool {
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// IsHTTPS reports whether the client reached the service over TLS: directly,
// or through a trusted proxy that says so in X-Forwarded-Proto.
func (s *Server) IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	addr := remoteAddr(r)
	return addr.IsValid() && within(s.TrustedProxies, addr) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}
