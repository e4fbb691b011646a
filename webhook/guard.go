// Package webhook delivers stored events to the URLs of webhooks
// (EVENTS.md): the guard that keeps deliveries off the service's own
// network, the signatures, the HTTP client and the worker that claims
// deliveries from the store, retries them and switches failing webhooks off.
package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/checkin-oss/checkin"
)

// Guard refuses hosts that are, or resolve to, loopback, private,
// link-local, multicast or unspecified addresses, unless AllowPrivate is
// set (--webhooks-allow-private). It checks a URL when a webhook is saved
// (CheckURL) and every address a delivery connects to (Control), so that a
// name that later resolves to another address (DNS rebinding) is refused
// as well.
type Guard struct {
	AllowPrivate bool
	// Resolver looks up host names; nil is net.DefaultResolver.
	Resolver *net.Resolver
}

// errNotPublic explains a refusal and how to allow it.
const allowHint = "; webhooks may only reach public addresses (start the server with --webhooks-allow-private to allow this)"

// CheckURL checks the URL of a webhook: its host, or every address its
// name resolves to now, must be public. The error's text is safe to show.
func (g *Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := checkin.ParseWebhookURL(raw)
	if err != nil {
		return err
	}
	if g.AllowPrivate {
		return nil
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if reason := notPublic(addr); reason != "" {
			return fmt.Errorf("host %s is %s%s", host, reason, allowHint)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// A name that does not resolve (yet) is accepted: each delivery's
	// connection is checked again by Control.
	addrs, _ := g.resolver().LookupNetIP(ctx, "ip", host)
	for _, addr := range addrs {
		if reason := notPublic(addr); reason != "" {
			return fmt.Errorf("host %s resolves to %s, %s%s", host, addr.Unmap(), reason, allowHint)
		}
	}
	return nil
}

func (g *Guard) resolver() *net.Resolver {
	if g.Resolver != nil {
		return g.Resolver
	}
	return net.DefaultResolver
}

// refusal is the guard's answer to a connection it will not make.
type refusal struct{ reason string }

func (r *refusal) Error() string { return r.reason }

// Control is a net.Dialer Control hook: it refuses to connect to an
// address that is not public, after the name was resolved.
func (g *Guard) Control(network, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusal{address + " is not an address"}
	}
	if reason := notPublic(ap.Addr()); reason != "" {
		return &refusal{ap.Addr().Unmap().String() + " is " + reason + " (--webhooks-allow-private allows it)"}
	}
	return nil
}

// notPublic says what kind of address addr is when it is not public, or "".
func notPublic(addr netip.Addr) string {
	addr = addr.Unmap()
	switch {
	case addr.IsLoopback():
		return "a loopback address"
	case addr.IsPrivate():
		return "a private address"
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		return "a link-local address"
	case addr.IsUnspecified():
		return "an unspecified address"
	case addr.IsMulticast(), addr.IsInterfaceLocalMulticast():
		return "a multicast address"
	case addr.Is4() && addr.As4()[0] == 0:
		return "an address of this network (0.0.0.0/8)"
	}
	return ""
}
