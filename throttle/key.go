package throttle

import (
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"strconv"
)

// Kind is a kind of credential. Every key is per kind, so that someone
// typing pincodes at a kiosk does not stop the card reader behind the same
// address, nor a password attacker the member's card.
type Kind string

const (
	Password Kind = "password" // email and password
	Pincode  Kind = "pincode"  // pincode, with or without an email
	Card     Kind = "card"     // access card
	Token    Kind = "token"    // access code or visitor code
	MAC      Kind = "mac"      // a device's MAC address (check-in and disconnect)
)

// Kinds are every kind, for metrics that start at zero.
var Kinds = []Kind{Password, Pincode, Card, Token, MAC}

// Scope is what a key counts the failures of, and names its limit.
type Scope string

const (
	Address  Scope = "address"  // one client address (an IPv6 client's /64), at one location
	Identity Scope = "identity" // one claimed identity: an email, a card, a MAC, a pincode at a location
	Location Scope = "location" // every attempt at one location
)

// Scopes are every scope, for metrics that start at zero.
var Scopes = []Scope{Address, Identity, Location}

// Client is who sends an attempt: its address (the zero Addr when unknown)
// and whether it is a trusted device, which speaks for many people and is
// never throttled as a whole.
type Client struct {
	Addr    netip.Addr
	Trusted bool
}

// NoLocation is the Location of an attempt made at no location: the
// password grant of POST /api/token (SignIn).
const NoLocation int64 = -1

// Attempt is a check-in attempt as throttling sees it.
type Attempt struct {
	// Location is the location's id, or NoLocation: its settings give the
	// limits (checkin.Settings' defaults for NoLocation, which no location
	// has).
	Location int64
	Kind     Kind
	// Identity is who the attempt claims to be: the email, the card, the
	// device's MAC; empty when it claims no one (a pincode alone).
	Identity string
	Pincode  string // the pincode tried, if any; keys hold it only hashed
	Client   Client
}

// SignIn is a password grant at POST /api/token, from addr, claiming the
// (normalised) email. It is at no location, so its limits are the defaults
// and it has no location key (which would let anyone slow every
// administrator's sign-in); its address key is its own ("a:-1:password:"),
// apart from the password check-ins at locations; its identity key is the
// one of password check-ins with that email, since it is the same password.
// Trusted devices do not apply: an admin client is not a door bridge.
func SignIn(email string, addr netip.Addr) Attempt {
	return Attempt{Location: NoLocation, Kind: Password, Identity: email, Client: Client{Addr: addr}}
}

// key is one throttling key of an attempt. An unchecked key is counted on
// failure but does not block by itself.
type key struct {
	name    string
	scope   Scope
	checked bool
}

// keys returns the keys of an attempt. A trusted device is throttled per
// claimed identity only (API.md): no address key, no location key. An
// unknown address has no address key. MACs have no location key: they are
// nobody's secret to enumerate; nor has an attempt at NoLocation. A pincode is a key of its own at its
// location: the identity of a pincode alone, counted (not checked) with an
// email; pincode keys also tell how many different pincodes failed
// (SprayRange).
func (a Attempt) keys() []key {
	loc := strconv.FormatInt(a.Location, 10)
	var keys []key
	if a.Client.Addr.IsValid() && !a.Client.Trusted {
		keys = append(keys, key{"a:" + loc + ":" + string(a.Kind) + ":" + addressKey(a.Client.Addr), Address, true})
	}
	if a.Identity != "" {
		keys = append(keys, key{"i:" + string(a.Kind) + ":" + hash(a.Identity), Identity, true})
	}
	if a.Kind == Pincode && a.Pincode != "" {
		keys = append(keys, key{pincodePrefix(a.Location) + hash(loc+":"+a.Pincode), Identity, a.Identity == ""})
	}
	if a.Kind != MAC && !a.Client.Trusted && a.Location != NoLocation {
		keys = append(keys, key{"l:" + loc + ":" + string(a.Kind), Location, true})
	}
	return keys
}

// addressKey is an address as a key: an IPv6 client by its /64, which one
// host usually holds whole.
func addressKey(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func pincodePrefix(location int64) string { return "p:" + strconv.FormatInt(location, 10) + ":" }

// SprayRange is the range of keys that hold a location's failed pincodes,
// first inclusive, last exclusive.
func SprayRange(location int64) (first, last string) {
	p := pincodePrefix(location)
	return p, p[:len(p)-1] + ";" // ';' follows ':'
}

// hash keeps secrets and personal data out of the keys, and their length
// bounded.
func hash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}
