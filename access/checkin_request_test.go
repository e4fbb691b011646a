package access_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

// TestCheckinRequestBody: the request's fields match in any letter case,
// unknown fields are ignored, and anything that is not a CheckInRequest is
// INVALID_REQUEST_DATA (400), recording nothing.
func TestCheckinRequestBody(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "field names in any case", body: `{"PINCODE":"1234"}`, check: janeIn(checkin.SourceManual)},
		{name: "accessCardId as AccessCardID", body: `{"AccessCardID":"CARD-1"}`, check: janeIn(checkin.SourceDoorAccess)},
		{name: "unknown fields ignored", body: `{"pincode":"1234","kiosk":{"id":7},"version":2}`, check: janeIn(checkin.SourceManual)},
		{name: "null fields are absent", body: `{"pincode":"1234","email":null,"toggle":null}`, check: janeIn(checkin.SourceManual)},
		{name: "booleans as strings", body: `{"pincode":"1234","doNotCheckIn":"True"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			if len(f.checkins()) != 0 {
				t.Error("doNotCheckIn \"True\" was not taken as true")
			}
		}},
		{name: "an empty body", body: ``, want: checkin.CodeInvalidRequestData},
		{name: "null", body: `null`, want: checkin.CodeInvalidRequestData},
		{name: "an array", body: `[{"pincode":"1234"}]`, want: checkin.CodeInvalidRequestData},
		{name: "broken JSON", body: `{"pincode":"1234"`, want: checkin.CodeInvalidRequestData},
		{name: "no credential at all", body: `{}`, want: checkin.CodeInvalidRequestData},
		{name: "only flags", body: `{"toggle":true,"doNotCheckIn":true}`, want: checkin.CodeInvalidRequestData},
		{name: "an email alone", body: `{"email":"jane@example.com"}`, want: checkin.CodeInvalidRequestData},
		{name: "an object for a string", body: `{"pincode":{"value":"1234"}}`, want: checkin.CodeInvalidRequestData},
		{name: "a word for a boolean", body: `{"pincode":"1234","toggle":"maybe"}`, want: checkin.CodeInvalidRequestData},
		{name: "one field twice in two cases", body: `{"pincode":"1234","PinCode":"9999"}`, want: checkin.CodeInvalidRequestData},
		{name: "deep nesting", body: `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"pincode":"1234"}`, want: checkin.CodeInvalidRequestData},
		{name: "a field longer than any credential", body: `{"pincode":"` + strings.Repeat("1", 2000) + `"}`, want: checkin.CodeInvalidRequestData},
	})
}

func TestCheckinBasicAuth(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		basic := func(user, pass string) http.Header {
			return http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}}
		}
		tests := []struct {
			header http.Header
			body   string
			want   string
		}{
			{basic(janeEmail, janePassword), `{}`, ""},
			{basic(janeEmail, "wrong-password"), `{}`, checkin.CodeInvalidCredentials},
			{basic(janeEmail, "wrong-password"), `{"email":"jane@example.com","password":"jane-password"}`, ""}, // the body's own win
			{http.Header{"Authorization": {"Basic !!!"}}, `{}`, checkin.CodeInvalidRequestData},
		}
		for i, tc := range tests {
			if _, c := f.postTo("acme.localhost", tc.body, tc.header); code(c) != tc.want {
				t.Errorf("case %d: %q (%s), want %q", i, code(c), c.Message, tc.want)
			}
		}
	})
}

// TestCheckinLocation: the location is the Host's subdomain, on any port;
// a Host without one means --default-location; an unknown subdomain, or no
// location at all, is INVALID_ACCOUNT_SUBDOMAIN (404), recording nothing.
func TestCheckinLocation(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		withDefault := f.serve(func(s *httpapi.Server) { s.DefaultLocation = "acme" })
		tests := []struct {
			url, host, want string
		}{
			{f.url, "acme.localhost", ""},
			{f.url, "ACME.localhost:8080", ""},
			{f.url, "acme.localhost.", ""},
			{f.url, "nope.localhost", checkin.CodeInvalidAccountSubdomain},
			{f.url, "localhost:8080", checkin.CodeInvalidAccountSubdomain},
			{f.url, "127.0.0.1", checkin.CodeInvalidAccountSubdomain},
			{withDefault, "localhost:8080", ""},
			{withDefault, "127.0.0.1:8080", ""},
			{withDefault, "[::1]:8080", ""},
			{withDefault, "checkin.example.org", ""},
			{withDefault, "nope.localhost", checkin.CodeInvalidAccountSubdomain},
			{withDefault, "a.b.localhost", checkin.CodeInvalidAccountSubdomain},
		}
		for _, tc := range tests {
			f.clock.Advance(0)
			status, c := f.postURL(tc.url, tc.host, `{"toggle":true,"pincode":"1234"}`, nil)
			if code(c) != tc.want || status != statusFor(tc.want) {
				t.Errorf("Host %s: %d %q, want %d %q", tc.host, status, code(c), statusFor(tc.want), tc.want)
			}
		}
		if n := len(f.failed()); n != 0 {
			t.Errorf("FailedCheckins = %d, want none for unknown locations", n)
		}
	})
}

// TestCheckinErrorCodes: every code of the spec's table, with its message
// and the status API.md gives it.
func TestCheckinErrorCodes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		spent := f.token("USED", 60, nil, nil)
		spent.MinutesLeft = ptr(int64(0))
		if err := f.db.AccessTokens().Replace(f.ctx, spent); err != nil {
			t.Fatal(err)
		}
		f.visitor("VISIT-1", checkin.ApprovalRequested, nil)
		userWithoutProfile(f)
		f.set(checkin.SettingDeviceCountLimit, "1")
		tests := []struct {
			code, host, body, message string
		}{
			{checkin.CodeInvalidRequestData, "acme.localhost", `{`, "Invalid request data"},
			{checkin.CodeInvalidAccountSubdomain, "nope.localhost", `{"pincode":"1234"}`, "You passed a invalid account subdomain"},
			{checkin.CodeInvalidAccessToken, "acme.localhost", `{"token":"NOPE","mac":"11:22:33:44:55:66"}`, "Access token is not valid."},
			{checkin.CodeVisitorNotApproved, "acme.localhost", `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, "Visitor has not yet been approved by host."},
			{checkin.CodeMACNotReceived, "acme.localhost", `{"mac":"1234567"}`, "MAC address was not received."},
			{checkin.CodeTokenDepleted, "acme.localhost", `{"token":"USED","mac":"11:22:33:44:55:66"}`, "This token has been used completely."},
			{checkin.CodeInvalidCardNumber, "acme.localhost", `{"accessCardId":"NOPE"}`, "Invalid card number."},
			{checkin.CodeInvalidCredentials, "acme.localhost", `{"pincode":"0000"}`, "Invalid username or password"},
			{checkin.CodeMissingCustomer, "acme.localhost", `{"email":"loner@example.com","password":"loner-password"}`, "This user does not have a member linked to it."},
			{checkin.CodeDeviceLimitReached, "acme.localhost", `{"email":"jane@example.com","password":"jane-password","mac":"00:11:22:33:44:55"}`, "You can’t register a new device"},
			{checkin.CodeNoAccessToSpace, "acme.localhost", `{"mac":"00:11:22:33:44:66"}`, "Coworker does not have access to this space"},
		}
		for _, tc := range tests {
			status, c := f.postTo(tc.host, tc.body, nil)
			if code(c) != tc.code || status != statusFor(tc.code) || !strings.HasPrefix(c.Message, tc.message) || c.Value != nil {
				t.Errorf("%s: %d %+v, want %d and a message starting %q", tc.code, status, c, statusFor(tc.code), tc.message)
			}
		}
	})
}
