package radiusd_test

import (
	"net/netip"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/throttle"
)

// TestFailedAccessRequestsAreThrottledPerIdentity fails one identity of
// each kind until the engine's limiter blocks it: the next Access-Request
// is rejected with the wait, records no FailedCheckin, and the public
// check-in's call (an untrusted address) is blocked too. Other identities
// through the same client are not.
func TestFailedAccessRequestsAreThrottledPerIdentity(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		storetest.Must(f.db.BusinessSettings().Create(f.ctx, &checkin.BusinessSetting{
			BusinessID: f.loc.ID, Name: "Security.Throttle.IdentityFailures", Value: "2"}))
		const free = 2
		const blocked = "Too many failed attempts; try again in 1 second."
		for _, tc := range []struct {
			name  string
			attrs []func(*radius.Packet) error
			http  checkin.CheckinRequest // the same identity at POST /api/public/checkin
		}{
			{"MAC", []func(*radius.Packet) error{str(rfc2865.UserName_SetString, "aabbccddee77"),
				str(rfc2865.UserPassword_SetString, "aabbccddee77"), str(rfc2865.CallingStationID_SetString, "AA-BB-CC-DD-EE-77")},
				checkin.CheckinRequest{MAC: "AA:BB:CC:DD:EE:77"}},
			{"Wi-Fi code", []func(*radius.Packet) error{str(rfc2865.UserName_SetString, "NOPE-7"),
				str(rfc2865.CallingStationID_SetString, dashed(guestDevice))},
				checkin.CheckinRequest{Token: "NOPE-7", MAC: guestDevice}},
			{"member email over PAP", []func(*radius.Packet) error{str(rfc2865.UserName_SetString, janeEmail),
				str(rfc2865.UserPassword_SetString, "wrong-password"), str(rfc2865.CallingStationID_SetString, dashed(janePhone))},
				checkin.CheckinRequest{Email: janeEmail, Password: "wrong-password", MAC: janePhone}},
		} {
			before := len(f.failed())
			for i := range free + 1 { // the free failures, then the one that starts the delay
				reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, tc.attrs...))
				if msg := rfc2865.ReplyMessage_GetString(reply); reply.Code != radius.CodeAccessReject || msg == blocked {
					t.Fatalf("%s: failure %d answered %v %q, want a refusal decided", tc.name, i+1, reply.Code, msg)
				}
			}
			if got := len(f.failed()) - before; got != free+1 {
				t.Fatalf("%s: %d FailedCheckins after %d refusals", tc.name, got, free+1)
			}
			reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, tc.attrs...))
			if msg := rfc2865.ReplyMessage_GetString(reply); reply.Code != radius.CodeAccessReject || msg != blocked {
				t.Errorf("%s: throttled request answered %v %q, want Access-Reject %q", tc.name, reply.Code, msg, blocked)
			}
			if got := len(f.failed()) - before; got != free+1 {
				t.Errorf("%s: the throttled request recorded a FailedCheckin (%d, want %d)", tc.name, got, free+1)
			}
			out, err := f.srv.Engine.CheckInFrom(f.ctx, f.loc, tc.http, throttle.Client{Addr: netip.MustParseAddr("198.51.100.7")})
			if err != nil || out.Throttled == nil {
				t.Errorf("%s: the public check-in of the same identity: %v %+v, want it throttled", tc.name, err, out.Result)
			}
		}
		reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, str(rfc2865.UserName_SetString, "aabbccddee01"),
			str(rfc2865.CallingStationID_SetString, dashed(janePhone))))
		if reply.Code != radius.CodeAccessAccept {
			t.Errorf("Jane's phone through the same client: %v %q, want Access-Accept (the client is not throttled as a whole)",
				reply.Code, rfc2865.ReplyMessage_GetString(reply))
		}
	})
}
