package radiusd_test

import (
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/vendors/wispr"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func str(set func(*radius.Packet, string) error, v string) func(*radius.Packet) error {
	return func(p *radius.Packet) error { return set(p, v) }
}

func callCheck(p *radius.Packet) error {
	return rfc2865.ServiceType_Set(p, rfc2865.ServiceType_Value_CallCheck)
}

func TestAccessRequestKinds(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		tok := checkin.AccessTokens.New()
		tok.BusinessID, tok.AccessCode, tok.MinutesIncluded = f.loc.ID, "GUEST-42", 30
		storetest.Must(f.db.AccessTokens().Create(f.ctx, tok))
		tests := []struct {
			name    string
			attrs   []func(*radius.Packet) error
			accept  bool
			message string
		}{
			{"MAC auth, User-Name aabbccddee01, password the same", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "aabbccddee01"), str(rfc2865.UserPassword_SetString, "aabbccddee01"),
				str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-01")}, true, ""},
			{"MAC auth, colons, empty password", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "AA:BB:CC:DD:EE:01"), str(rfc2865.UserPassword_SetString, ""),
				str(rfc2865.CallingStationID_SetString, "AA:BB:CC:DD:EE:01")}, true, ""},
			{"MAC auth, Cisco dots, Call-Check", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "aabb.ccdd.ee02"), callCheck,
				str(rfc2865.CallingStationID_SetString, "aabb.ccdd.ee02")}, true, ""},
			{"MAC auth, uppercase hyphens, password the MAC in another spelling", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "AA-BB-CC-DD-EE-02"), str(rfc2865.UserPassword_SetString, "aabbccddee02"),
				str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-02")}, true, ""},
			{"MAC auth, wrong password", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "aabbccddee01"), str(rfc2865.UserPassword_SetString, "nope"),
				str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-01")}, false, "Invalid username or password"},
			{"MAC auth, unknown device", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "aabbccddee99"), str(rfc2865.UserPassword_SetString, "aabbccddee99"),
				str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-99")}, false, "Coworker does not have access to this space: this device is not registered to any member."},
			{"Wi-Fi code", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "guest-42"), str(rfc2865.UserPassword_SetString, "guest-42"),
				str(rfc2865.CallingStationID_SetString, dashed(guestDevice))}, true, ""},
			{"unknown code", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "NOPE-1"), str(rfc2865.CallingStationID_SetString, dashed(guestDevice))}, false, "Access token is not valid."},
			{"code without a Calling-Station-Id", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, "GUEST-42")}, false, "MAC address was not received."},
			{"member credentials", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, janeEmail), str(rfc2865.UserPassword_SetString, janePass),
				str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-03")}, true, ""},
			{"member, wrong password", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, janeEmail), str(rfc2865.UserPassword_SetString, "wrong-password"),
				str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-03")}, false, "Invalid username or password"},
			{"member over CHAP", []func(*radius.Packet) error{
				str(rfc2865.UserName_SetString, janeEmail), str(rfc2865.CHAPPassword_SetString, "0123456789abcdefg")}, false,
				"Send the email and password with PAP: CHAP and EAP cannot be checked here."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := len(f.failed())
				reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, tt.attrs...))
				if got := reply.Code == radius.CodeAccessAccept; got != tt.accept {
					t.Fatalf("got %v (%q), want accept %v", reply.Code, rfc2865.ReplyMessage_GetString(reply), tt.accept)
				}
				if reply.Attributes[0].Type != 80 {
					t.Errorf("first attribute is %d, want Message-Authenticator (80)", reply.Attributes[0].Type)
				}
				if tt.accept {
					if rfc2865.SessionTimeout_Get(reply) <= 0 || rfc2869.AcctInterimInterval_Get(reply) != 600 ||
						wispr.WISPrSessionTerminateTime_GetString(reply) == "" || rfc2865.Class_GetString(reply) == "" {
						t.Errorf("accept lacks Session-Timeout, Acct-Interim-Interval, WISPr-Session-Terminate-Time or Class: %v", reply.Attributes)
					}
					return
				}
				if got := rfc2865.ReplyMessage_GetString(reply); got != tt.message {
					t.Errorf("Reply-Message %q, want %q", got, tt.message)
				}
				recorded := len(f.failed()) - before
				if tt.message == "Invalid username or password" && tt.name == "MAC auth, wrong password" || tt.message[:4] == "Send" {
					return // not a check-in attempt: the gear is misconfigured
				}
				if recorded != 1 {
					t.Errorf("%d FailedCheckins recorded, want 1", recorded)
				}
			})
		}
		for _, fc := range f.failed() {
			if fc.Source != checkin.SourceNetworkActivity {
				t.Errorf("FailedCheckin %q has Source %d, want 3", *fc.Description, fc.Source)
			}
		}
	})
}

func TestAcceptAttributes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		storetest.Must(f.db.BusinessSettings().Create(f.ctx, &checkin.BusinessSetting{BusinessID: f.loc.ID, Name: "Radius.AcctInterimInterval", Value: "120"}))
		f.clock.Set(time.Date(2026, 6, 16, 10, 0, 0, 0, time.UTC))
		f.srv.Shutdown(f.ctx)
		f.start() // the settings are read with the clients
		reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, str(rfc2865.UserName_SetString, "aabbccddee01"), str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-01")))
		if reply.Code != radius.CodeAccessAccept {
			t.Fatalf("got %v: %s", reply.Code, rfc2865.ReplyMessage_GetString(reply))
		}
		// The day ends at the cut-off, local midnight: 23:00 UTC in June in London.
		if got, want := int(rfc2865.SessionTimeout_Get(reply)), 13*3600; got != want {
			t.Errorf("Session-Timeout %d, want %d", got, want)
		}
		if got, want := wispr.WISPrSessionTerminateTime_GetString(reply), "2026-06-17T00:00:00+01:00"; got != want {
			t.Errorf("WISPr-Session-Terminate-Time %q, want %q", got, want)
		}
		if got := rfc2869.AcctInterimInterval_Get(reply); got != 120 {
			t.Errorf("Acct-Interim-Interval %d, want 120", got)
		}
		if got, want := rfc2865.Class_GetString(reply), "checkin:m:"+itoa(f.jane.ID); got != want {
			t.Errorf("Class %q, want %q", got, want)
		}
		if open := f.openCheckins(); len(open) != 1 || *open[0].CoworkerID != f.jane.ID {
			t.Errorf("open check-ins %v, want Jane's", open)
		}
	})
}
