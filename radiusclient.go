package checkin

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"
)

// RadiusClient is an access point, controller or captive portal that may
// send RADIUS to the service, and the location its users check in at.
// Secret is write-only: it is never in an answer, a list or a log.
type RadiusClient struct {
	BusinessID                  int64  `json:"BusinessId" api:"required,ref=Business"`
	Name                        string `json:"Name" api:"required"`
	Address                     string `json:"Address" api:"required"`
	Secret                      string `json:"Secret,omitempty" api:"nocolumn,writeonly"`
	RequireMessageAuthenticator bool   `json:"RequireMessageAuthenticator"`
	MacPassword                 string `json:"MacPassword" api:"credential"`
	CoaAddress                  string `json:"CoaAddress"`
	Record
}

// RadiusClients declares the RadiusClient entity.
var RadiusClients = Define[RadiusClient](Schema{Name: "RadiusClient", Path: "/api/sys/radiusclients", Table: "radius_clients"})

// MinRadiusSecretLength is the shortest shared secret a client may have.
const MinRadiusSecretLength = 8

// CoaNone turns Disconnect-Requests to a client off.
const CoaNone = "none"

// SetDefaults requires Message-Authenticator unless told otherwise.
func (c *RadiusClient) SetDefaults() { c.RequireMessageAuthenticator = true }

// Validate normalises the record and checks its fields. The secret's value
// is never named in an error.
func (c *RadiusClient) Validate() error {
	var v Validation
	c.Name = strings.TrimSpace(c.Name)
	c.Address = strings.TrimSpace(c.Address)
	c.CoaAddress = strings.TrimSpace(c.CoaAddress)
	v.Require("BusinessId", c.BusinessID == 0)
	v.Require("Name", c.Name == "")
	if c.Address == "" {
		v.Require("Address", true)
	} else if p, err := ParseClientAddress(c.Address); err != nil {
		v.Add("Address", c.Address, "must be an IP address or a CIDR range such as 192.0.2.0/24")
	} else {
		c.Address = p.String()
		if p.IsSingleIP() {
			c.Address = p.Addr().String()
		}
	}
	if c.Secret != "" && len(c.Secret) < MinRadiusSecretLength {
		v.Add("Secret", nil, "must be at least %d characters", MinRadiusSecretLength)
	}
	if len(c.Secret) > 128 {
		v.Add("Secret", nil, "must be at most 128 bytes")
	}
	if len(c.MacPassword) > 128 {
		v.Add("MacPassword", nil, "must be at most 128 bytes")
	}
	if c.CoaAddress != "" && !strings.EqualFold(c.CoaAddress, CoaNone) {
		if _, err := netip.ParseAddrPort(c.CoaAddress); err != nil {
			if host, port, err := net.SplitHostPort(c.CoaAddress); err != nil || host == "" || port == "" {
				v.Add("CoaAddress", c.CoaAddress, "must be host:port (such as 192.0.2.10:3799), or none")
			}
		}
	}
	if strings.EqualFold(c.CoaAddress, CoaNone) {
		c.CoaAddress = CoaNone
	}
	return v.Err()
}

func (c *RadiusClient) String() string { return c.Name }

// ParseClientAddress reads an IP address or a CIDR range as a prefix; an
// IPv4 address mapped into IPv6 is read as IPv4.
func ParseClientAddress(s string) (netip.Prefix, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// DisconnectAddress is where Disconnect-Requests go: CoaAddress, or the
// client's single Address at port 3799; empty when there is none.
func (c *RadiusClient) DisconnectAddress() string {
	switch {
	case c.CoaAddress == CoaNone:
		return ""
	case c.CoaAddress != "":
		return c.CoaAddress
	}
	p, err := ParseClientAddress(c.Address)
	if err != nil || !p.IsSingleIP() {
		return ""
	}
	return netip.AddrPortFrom(p.Addr(), 3799).String()
}

// RadiusSession is one accounting session: a device on a client's network,
// and whose session it is (a member's profile or an access token).
type RadiusSession struct {
	ID            int64
	ClientID      int64
	BusinessID    int64
	AcctSessionID string
	MAC           string
	UserName      string
	CoworkerID    int64 // 0 when not a member's
	TokenID       int64 // 0 when not a token's
	StartedOn     time.Time
	LastActivity  time.Time
	StoppedOn     *time.Time
	// CheckoutPending is set on a stopped session that was its holder's
	// last open one at the location, until their check-out is stored.
	CheckoutPending bool
}

// RadiusStopTime is when a session stopped: event, the time the client
// gives (Event-Timestamp, or the arrival less Acct-Delay-Time), when it is
// sane, else now. It is sane when it is not after now (a clock a little
// ahead gives now, as one far ahead does) and not before floor: the
// session's start or last activity, or its holder's open check-in.
func RadiusStopTime(event, floor, now time.Time) time.Time {
	if event.IsZero() || event.After(now) || event.Before(floor) {
		return now
	}
	return event
}

// RadiusSessionEnd is an open session whose check-in ended without the
// client saying so, and why; the RADIUS server disconnects it.
type RadiusSessionEnd struct {
	RadiusSession
	Reason string
}

// RadiusStore keeps the RADIUS clients and accounting sessions.
type RadiusStore interface {
	// RadiusClientsWithSecrets returns every client with its secret.
	RadiusClientsWithSecrets(ctx context.Context) ([]RadiusClient, error)
	// StartRadiusSession records a session as open, or refreshes its
	// LastActivity if it is open already. A session already stopped is
	// left alone, and started reports false.
	StartRadiusSession(ctx context.Context, s RadiusSession) (started bool, err error)
	// TouchRadiusSession refreshes the LastActivity of an open session and
	// of its holder's open check-in; known is false when the session was
	// never recorded (a session stopped is known, and left alone).
	TouchRadiusSession(ctx context.Context, s RadiusSession) (known bool, err error)
	// StopRadiusSession stops a session once (a session never started is
	// recorded stopped), at RadiusStopTime(at, ...), and returns it. Its CheckoutPending says its holder
	// is to be checked out: it was their last open session at the location,
	// and the check-out is not stored yet (RadiusCheckoutDone). It is
	// cleared when the holder has opened another session meanwhile.
	StopRadiusSession(ctx context.Context, s RadiusSession, at time.Time) (RadiusSession, error)
	// StopRadiusClientSessions stops every open session of a client, each
	// at RadiusStopTime(at, ...), and returns those whose holder is to be checked out, one per holder,
	// with those left pending by an earlier call.
	StopRadiusClientSessions(ctx context.Context, clientID int64, at time.Time) ([]RadiusSession, error)
	// RadiusCheckoutDone records that a stopped session's holder was
	// checked out: its CheckoutPending is cleared.
	RadiusCheckoutDone(ctx context.Context, sessionID int64) error
	// OtherRadiusSession returns an open session at the location of the
	// holder of s other than s (one of their devices whose session's
	// holder is not recorded yet counts too).
	OtherRadiusSession(ctx context.Context, s RadiusSession) (other RadiusSession, found bool, err error)
	// RadiusSessionsToEnd returns the open sessions not yet disconnected
	// whose member, device, check-in or token no longer admits them.
	RadiusSessionsToEnd(ctx context.Context) ([]RadiusSessionEnd, error)
	// ClaimRadiusDisconnect marks a session as being disconnected; false
	// when another call (or instance) claimed it first.
	ClaimRadiusDisconnect(ctx context.Context, sessionID int64) (bool, error)
}
