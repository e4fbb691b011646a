package access

import (
	"strings"

	"github.com/checkin-oss/checkin"
)

// Reason says why a request takes the method: the fields that chose it,
// in the spec's order of priority.
func (m Method) Reason() string {
	switch m {
	case MethodDisconnect:
		return "disconnect is set: a MAC is disconnected, no credential is checked"
	case MethodToken:
		return "a token was sent: access tokens and visitor codes come first (method 1)"
	case MethodMACToken:
		return "the MAC sent holds an access token, which is tried before methods 3 to 7 (method 2)"
	case MethodPassword:
		return "email and password were sent (method 3)"
	case MethodEmailPincode:
		return "email and pincode were sent, no password (method 4)"
	case MethodPincode:
		return "a pincode was sent without an email (method 5)"
	case MethodCard:
		return "an accessCardId was sent, no pincode or email credential (method 6)"
	case MethodMAC:
		return "only a MAC was sent (method 7)"
	}
	return "no field of any method was sent"
}

// PresentFields names the fields of a request that were sent, in the
// order of CheckinRequest, never their values.
func PresentFields(req checkin.CheckinRequest) []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"email", strings.TrimSpace(req.Email) != ""},
		{"password", req.Password != ""},
		{"pincode", strings.TrimSpace(req.Pincode) != ""},
		{"mac", strings.TrimSpace(req.MAC) != ""},
		{"token", strings.TrimSpace(req.Token) != ""},
		{"accessCardId", strings.TrimSpace(req.AccessCardID) != ""},
		{"disconnect", req.Disconnect},
		{"toggle", req.Toggle},
		{"doNotCheckIn", req.DoNotCheckIn},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// Methods are every method a decision can take, for metrics that start
// at zero.
var Methods = []Method{MethodToken, MethodMACToken, MethodPassword, MethodEmailPincode, MethodPincode, MethodCard, MethodMAC, MethodDisconnect}

// Results are every result a decision by one of Methods can have: a
// success, or a refusal code. A request that names no method is
// MethodNone with INVALID_REQUEST_DATA; throttled attempts are not decided.
var Results = []string{"checked_in", "checked_out", "validated",
	checkin.CodeInvalidAccessToken, checkin.CodeVisitorNotApproved, checkin.CodeMACNotReceived, checkin.CodeTokenDepleted,
	checkin.CodeInvalidCardNumber, checkin.CodeInvalidCredentials, checkin.CodeMissingCustomer, checkin.CodeDeviceLimitReached,
	checkin.CodeNoAccessToSpace}
