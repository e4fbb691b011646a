package access_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
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

// TestCheckinNULCharacter: a NUL character in any string field, of the
// body or of Basic credentials, is INVALID_REQUEST_DATA (400) naming the
// field, on both databases alike, recording nothing.
func TestCheckinNULCharacter(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		basic := base64.StdEncoding.EncodeToString([]byte(janeEmail + ":jane\x00password"))
		tests := []struct {
			field, body string
			header      http.Header
		}{
			{"email", `{"email":"jane@example.com\u0000","password":"jane-password"}`, nil},
			{"password", `{"email":"jane@example.com","password":"jane-pass\u0000word"}`, nil},
			{"pincode", `{"pincode":"12\u000034"}`, nil},
			{"pincode", `{"email":"jane@example.com","pincode":"\u0000"}`, nil},
			{"mac", `{"mac":"AA:BB:CC:DD:EE:01\u0000"}`, nil},
			{"mac", `{"disconnect":true,"mac":"\u0000AA:BB:CC:DD:EE:01"}`, nil},
			{"token", `{"token":"GUEST\u0000","mac":"AA:BB:CC:DD:EE:01"}`, nil},
			{"accessCardId", `{"accessCardId":"CARD-1\u0000"}`, nil},
			{"accessCardId", `{"pincode":"1234","accessCardId":"\u0000"}`, nil},
			{"password", `{}`, http.Header{"Authorization": {"Basic " + basic}}},
		}
		for _, tc := range tests {
			status, c := f.postTo("acme.localhost", tc.body, tc.header)
			if status != http.StatusBadRequest || code(c) != checkin.CodeInvalidRequestData || !strings.Contains(c.Message, tc.field+" must not contain a NUL") {
				t.Errorf("%s: %d %q %q, want 400 INVALID_REQUEST_DATA naming %s", tc.body, status, code(c), c.Message, tc.field)
			}
		}
		if n := len(f.failed()); n != 0 {
			t.Errorf("%d FailedCheckins recorded, want none", n)
		}
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

// TestCheckinMethodPriority: a body that carries the credentials of several
// methods takes the first in the spec's order (disconnect, token, email and
// password, email and pincode, pincode, access card, MAC). Each case is
// answered differently by the method below it, so that a swap of two
// methods fails it.
func TestCheckinMethodPriority(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "disconnect before every credential", setup: janeCheckedIn,
			body: `{"disconnect":true,"pincode":"1234","mac":"AA:BB:CC:DD:EE:01"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				checkedOut(t, c, &f.jane.ID)
				if n := len(f.checkins()); n != 1 {
					t.Errorf("check-ins = %d, want 1: a disconnect checks in no one", n)
				}
			}},
		{name: "an access token before email and password", setup: func(f *fixture) { f.token("GUEST", 60, nil, nil) },
			body: `{"token":"GUEST","mac":"11:22:33:44:55:66","email":"jane@example.com","password":"wrong-password"}`, check: tokenSession(3600)},
		{name: "email and password before email and pincode",
			body: `{"email":"jane@example.com","password":"wrong-password","pincode":"1234"}`, want: checkin.CodeInvalidCredentials,
			check: refusedAbout(nil, checkin.SourceManual, "email or password")},
		{name: "email and pincode before pincode alone", setup: func(f *fixture) { f.member(memberSpec{name: "Twin", email: "twin@example.com", pincode: "1234"}) },
			body: `{"email":"jane@example.com","pincode":"1234"}`, check: janeIn(checkin.SourceManual)},
		{name: "a pincode before an access card", body: `{"pincode":"1234","accessCardId":"CARD-404"}`, check: janeIn(checkin.SourceManual)},
		{name: "an access card before a device", body: `{"accessCardId":"CARD-1","mac":"AA:BB:CC:DD:EE:77"}`, check: janeIn(checkin.SourceDoorAccess)},
	})
}

// TestCheckinAnswerJSON: the answers on the wire, field for field, as the
// spec's Response section writes them: a member's and a token's success,
// a check-out, and a refusal (the spec's own example).
func TestCheckinAnswerJSON(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.token("GUEST", 60, nil, nil)
		tests := []struct {
			body, want string
		}{
			{`{"pincode":"1234"}`, `{"wasSuccessful":true,"message":"2026-06-15T23:00:00 UTC","value":{"fullName":"Jane Doe","coworkerId":%d,
				"tunnelId":"","checkedIn":true,"sessionExpire":"2026-06-15T23:00:00 UTC","sessionTimeOut":50400}}`},
			{`{"toggle":true,"pincode":"1234"}`, `{"wasSuccessful":true,"message":"OK","value":{"fullName":"Jane Doe","coworkerId":%d,
				"checkedIn":false,"sessionExpire":"2026-06-15T09:00:00 UTC","sessionTimeOut":0}}`},
			{`{"token":"GUEST","mac":"11:22:33:44:55:66"}`, `{"wasSuccessful":true,"message":"2026-06-15T10:00:00 UTC",
				"value":{"tunnelId":"","sessionExpire":"2026-06-15T10:00:00 UTC","sessionTimeOut":3600}}`},
			{`{"accessCardId":"CARD-98765"}`, `{"wasSuccessful":false,"message":"Invalid card number.",
				"errors":[{"propertyName":"EventCheckIn","message":"INVALID_CARD_NUMBER"}]}`},
		}
		for _, tc := range tests {
			want := tc.want
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, f.jane.ID)
			}
			if got := f.postRaw(tc.body); canonicalJSON(t, got) != canonicalJSON(t, want) {
				t.Errorf("%s:\n got %s\nwant %s", tc.body, got, want)
			}
		}
	})
}

// postRaw sends a check-in body to the fixture's location and returns the
// answer as sent.
func (f *fixture) postRaw(body string) string {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.url+"/api/public/checkin", strings.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Host = "acme.localhost"
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(raw)
}

// canonicalJSON re-encodes a JSON text with sorted keys and no spaces.
func canonicalJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
