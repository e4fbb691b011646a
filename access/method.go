package access

import (
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/throttle"
)

// Method is the way a request checks in, named for logs and metrics.
type Method string

const (
	MethodNone         Method = "none"
	MethodToken        Method = "token"         // 1. access token (or visitor code) and MAC
	MethodMACToken     Method = "mac_token"     // 2. MAC with an access token
	MethodPassword     Method = "password"      // 3. email and password
	MethodEmailPincode Method = "email_pincode" // 4. email and pincode
	MethodPincode      Method = "pincode"       // 5. pincode only
	MethodCard         Method = "card"          // 6. access card
	MethodMAC          Method = "mac"           // 7. MAC of a member's device
	MethodDisconnect   Method = "disconnect"    // 8. disconnect by MAC
)

// Source is how the method is recorded on Checkin and FailedCheckin records.
func (m Method) Source() int64 {
	switch m {
	case MethodPassword, MethodEmailPincode, MethodPincode:
		return checkin.SourceManual
	case MethodCard:
		return checkin.SourceDoorAccess
	case MethodToken, MethodMACToken, MethodMAC, MethodDisconnect:
		return checkin.SourceNetworkActivity
	}
	return checkin.SourceNone
}

// minMACLength is the spec's shortest MAC address field.
const minMACLength = 8

// plan is what a request asks for, read before the database is touched.
type plan struct {
	method Method
	// code is a refusal decided from the request alone
	// (INVALID_REQUEST_DATA or MAC_NOT_RECEIVED), or empty.
	code string
	// mac is the request's MAC in canonical spelling, or empty.
	mac    string
	rawMAC string
	email  string
	// tryMACToken is set when the request carries a MAC and its method
	// ranks below the MAC's access token (method 2), which is tried first.
	tryMACToken bool
}

// planFor picks the method a request takes. Disconnect and toggle modify
// the action rather than name a credential: a disconnect needs only a MAC;
// a toggle takes the credential method and checks out when already in.
// Credentials are then taken in the spec's priority order: a token, then
// email and password, email and pincode, pincode, access card, and a MAC
// alone. Where the request carries a MAC, the MAC's access token (method 2)
// is tried before methods 3 to 7.
func planFor(req checkin.CheckinRequest) plan {
	p := plan{rawMAC: strings.TrimSpace(req.MAC), email: checkin.NormalizeEmail(req.Email)}
	mac, validMAC := checkin.NormalizeMAC(p.rawMAC)
	if validMAC {
		p.mac = mac
	}
	macRequired := func(m Method) plan {
		p.method = m
		if !validMAC {
			p.code = checkin.CodeMACNotReceived
		}
		return p
	}
	pincode := strings.TrimSpace(req.Pincode)
	switch {
	case req.Disconnect:
		return macRequired(MethodDisconnect)
	case strings.TrimSpace(req.Token) != "":
		return macRequired(MethodToken)
	case p.email != "" && req.Password != "":
		p.method = MethodPassword
	case p.email != "" && pincode != "":
		p.method = MethodEmailPincode
	case pincode != "":
		p.method = MethodPincode
	case strings.TrimSpace(req.AccessCardID) != "":
		p.method = MethodCard
	case p.rawMAC != "":
		p = macRequired(MethodMAC)
		p.tryMACToken = validMAC
		return p
	default:
		p.method, p.code = MethodNone, checkin.CodeInvalidRequestData
		return p
	}
	// An optional MAC shorter than the spec's minimum counts as absent; a
	// longer one must be a MAC address.
	if p.rawMAC != "" && len(p.rawMAC) >= minMACLength && !validMAC {
		p.code = checkin.CodeMACNotReceived
	}
	p.tryMACToken = p.mac != ""
	return p
}

// turnKey names the credential a request claims at a location: requests
// that claim the same one take turns (Service.CheckInFrom).
func (p plan) turnKey(location int64, req checkin.CheckinRequest) string {
	a := p.attempt(location, req, throttle.Client{})
	return strconv.FormatInt(location, 10) + "\x00" + string(a.Kind) + "\x00" + a.Identity + "\x00" + a.Pincode
}

// attempt is the request as throttling sees it: the kind of credential its
// method guesses, and the identity it claims. A token's identity is the
// device asking (a Wi-Fi portal relays codes that guests type), a pincode
// alone claims no one.
func (p plan) attempt(location int64, req checkin.CheckinRequest, from throttle.Client) throttle.Attempt {
	a := throttle.Attempt{Location: location, Client: from}
	switch p.method {
	case MethodPassword:
		a.Kind, a.Identity = throttle.Password, p.email
	case MethodEmailPincode:
		a.Kind, a.Identity, a.Pincode = throttle.Pincode, p.email, trimmed(req.Pincode)
	case MethodPincode:
		a.Kind, a.Pincode = throttle.Pincode, trimmed(req.Pincode)
	case MethodCard:
		a.Kind, a.Identity = throttle.Card, checkin.NormalizeCard(req.AccessCardID)
	case MethodToken:
		a.Kind, a.Identity = throttle.Token, p.mac
	default: // MethodMAC, MethodDisconnect
		a.Kind, a.Identity = throttle.MAC, p.mac
	}
	return a
}
