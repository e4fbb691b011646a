package access_test

import (
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// Methods 1 and 2: access tokens and visitor codes, with a device's MAC.

const guestMAC = "11:22:33:44:55:66"

// tokenSession checks a token's success answer: no member, and a session
// of the given length from now.
func tokenSession(wantSeconds int64) func(t *testing.T, f *fixture, c checkin.Confirmation) {
	return func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		v := c.Value
		want := f.clock.Now().Add(time.Duration(wantSeconds) * time.Second).Format(checkin.CheckinTimeFormat)
		if v == nil || v.CoworkerID != nil || v.FullName != nil || v.TunnelID == nil || *v.TunnelID != "" {
			t.Fatalf("value = %+v, want a token session", v)
		}
		if v.SessionTimeOut != wantSeconds || v.SessionExpire != want || c.Message != want {
			t.Errorf("session = %q/%q, %d s; want %q, %d s", c.Message, v.SessionExpire, v.SessionTimeOut, want, wantSeconds)
		}
	}
}

func at(d time.Duration) *time.Time { t := storetest.Start.Add(d); return &t }

func TestCheckinAccessToken(t *testing.T) {
	guest := func(f *fixture) { f.token("GUEST-2026", 60, nil, nil) }
	runCheckinCases(t, []checkinCase{
		{name: "starts the token's clock and records the MAC", setup: guest, body: `{"token":"GUEST-2026","mac":"11-22-33-44-55-66"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				tokenSession(3600)(t, f, c)
				tok := f.tokenByID(1)
				if tok.MacAddresses != guestMAC || tok.LastAccess == nil || !tok.LastAccess.Equal(storetest.Start) || *tok.MinutesLeft != 60 {
					t.Errorf("token = MACs %q, last access %v, %d left", tok.MacAddresses, tok.LastAccess, *tok.MinutesLeft)
				}
				last := f.lastCheckin()
				if last.Source != checkin.SourceNetworkActivity || last.CoworkerID != nil || last.ToTime != nil || *last.MacAddresses != guestMAC {
					t.Errorf("checkin = %+v, want an open token session from %s", last, guestMAC)
				}
			}},
		{name: "the code matches in any letter case", setup: guest, body: `{"token":"guest-2026","mac":"11:22:33:44:55:66"}`, check: tokenSession(3600)},
		{name: "an unknown code", setup: guest, body: `{"token":"GUESS","mac":"11:22:33:44:55:66"}`, want: checkin.CodeInvalidAccessToken,
			check: refusedAbout(nil, checkin.SourceNetworkActivity, "no access token")},
		{name: "another location's token", setup: func(f *fixture) {
			tok := checkin.AccessTokens.New()
			tok.BusinessID, tok.AccessCode, tok.MinutesIncluded = f.location("beta", f.loc.NetworkID).ID, "BETA", 60
			storetest.Must(f.db.AccessTokens().Create(f.ctx, tok))
		}, body: `{"token":"BETA","mac":"11:22:33:44:55:66"}`, want: checkin.CodeInvalidAccessToken},
		{name: "before ValidFrom", setup: func(f *fixture) { f.token("LATER", 60, at(time.Hour), nil) },
			body: `{"token":"LATER","mac":"11:22:33:44:55:66"}`, want: checkin.CodeInvalidAccessToken},
		{name: "after ValidTo", setup: func(f *fixture) { f.token("PAST", 60, nil, at(-time.Minute)) },
			body: `{"token":"PAST","mac":"11:22:33:44:55:66"}`, want: checkin.CodeInvalidAccessToken},
		{name: "the session never runs past ValidTo", setup: func(f *fixture) { f.token("SOON", 60, nil, at(20*time.Minute)) },
			body: `{"token":"SOON","mac":"11:22:33:44:55:66"}`, check: tokenSession(1200)},
		{name: "no minutes left", setup: func(f *fixture) {
			tok := f.token("USED", 60, nil, nil)
			tok.MinutesLeft = ptr(int64(0))
			if err := f.db.AccessTokens().Replace(f.ctx, tok); err != nil {
				f.t.Fatal(err)
			}
		}, body: `{"token":"USED","mac":"11:22:33:44:55:66"}`, want: checkin.CodeTokenDepleted},
		{name: "without a MAC", setup: guest, body: `{"token":"GUEST-2026"}`, want: checkin.CodeMACNotReceived,
			check: refusedAbout(nil, checkin.SourceNetworkActivity, "no mac")},
		{name: "with a MAC shorter than 8 characters", setup: guest, body: `{"token":"GUEST-2026","mac":"1122334"}`, want: checkin.CodeMACNotReceived},
		{name: "a visitor whose visit needs no approval", setup: visitor(checkin.ApprovalNotRequired, nil),
			body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, check: tokenSession(3600)},
		{name: "a visitor accepted and held", setup: visitor(checkin.ApprovalAcceptedAndHold, nil),
			body: `{"token":"visit-1","mac":"11:22:33:44:55:66"}`, check: tokenSession(3600)},
		{name: "a visitor accepted", setup: visitor(checkin.ApprovalAcceptedGrant, nil),
			body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, check: tokenSession(3600)},
		{name: "a visitor awaiting approval", setup: visitor(checkin.ApprovalRequested, nil),
			body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, want: checkin.CodeVisitorNotApproved, check: refusedAbout(nil, checkin.SourceNetworkActivity, "requested")},
		{name: "a visitor rejected", setup: visitor(checkin.ApprovalRejected, nil),
			body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, want: checkin.CodeVisitorNotApproved, check: refusedAbout(nil, checkin.SourceNetworkActivity, "rejected")},
		{name: "a visitor's code lasts from the expected arrival", setup: visitor(checkin.ApprovalNotRequired, at(-40*time.Minute)),
			body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, check: tokenSession(20 * 60)},
		{name: "a visitor's code lasts PublicWebSite.Visitors.DefaultDuration", setup: func(f *fixture) {
			f.set(checkin.SettingVisitorDefaultDuration, "90")
			visitor(checkin.ApprovalNotRequired, nil)(f)
		}, body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, check: tokenSession(90 * 60)},
		{name: "a visitor's code before the visit", setup: visitor(checkin.ApprovalNotRequired, at(2*time.Hour)),
			body: `{"token":"VISIT-1","mac":"11:22:33:44:55:66"}`, want: checkin.CodeInvalidAccessToken},
	})
}

func visitor(status int64, arrival *time.Time) func(f *fixture) {
	return func(f *fixture) { f.visitor("VISIT-1", status, arrival) }
}

// TestTokenSessionMinutes follows one token through devices, time and
// disconnects: the clock starts once, a disconnect subtracts the minutes
// since the last access (every started minute), once.
func TestTokenSessionMinutes(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		tok := f.token("GUEST-2026", 60, nil, nil)
		steps := []struct {
			advance  time.Duration
			body     string
			wantLeft int64 // MinutesLeft afterwards
			wantOut  int64 // sessionTimeOut
		}{
			{0, `{"token":"GUEST-2026","mac":"11:22:33:44:55:66"}`, 60, 3600},
			{10 * time.Minute, `{"token":"GUEST-2026","mac":"11:22:33:44:55:77"}`, 60, 3000}, // a second device: same clock
			{30 * time.Second, `{"disconnect":true,"mac":"11:22:33:44:55:66"}`, 49, 0},       // 10.5 minutes used: 11
			{time.Minute, `{"disconnect":true,"mac":"11:22:33:44:55:66"}`, 49, 0},            // never subtracted twice
			{time.Hour, `{"token":"GUEST-2026","mac":"11:22:33:44:55:66"}`, 49, 49 * 60},
			{0, `{"mac":"11:22:33:44:55:77"}`, 49, 49 * 60}, // method 2: the MAC's token
		}
		for i, s := range steps {
			f.clock.Advance(s.advance)
			_, c := f.post(s.body)
			if !c.WasSuccessful || c.Value.SessionTimeOut != s.wantOut {
				t.Fatalf("step %d %s: %+v, want success with %d s", i, s.body, c, s.wantOut)
			}
			if got := *f.tokenByID(tok.ID).MinutesLeft; got != s.wantLeft {
				t.Errorf("step %d: MinutesLeft = %d, want %d", i, got, s.wantLeft)
			}
		}
		if got := f.tokenByID(tok.ID).MacAddresses; got != "11:22:33:44:55:66,11:22:33:44:55:77" {
			t.Errorf("MacAddresses = %q", got)
		}
		f.clock.Advance(50 * time.Minute) // the session outlives its 49 minutes
		if _, c := f.post(`{"token":"GUEST-2026","mac":"11:22:33:44:55:66"}`); code(c) != checkin.CodeTokenDepleted {
			t.Errorf("after the minutes ran out: %q, want TOKEN_DEPLETED", code(c))
		}
		if got := *f.tokenByID(tok.ID).MinutesLeft; got != 0 {
			t.Errorf("MinutesLeft after running out = %d, want 0", got)
		}
	})
}

func TestCheckinMACToken(t *testing.T) {
	// withTokens uses two tokens from guestMAC, then ends their sessions.
	withTokens := func(f *fixture) {
		f.token("SHORT", 30, nil, nil)
		f.token("LONG", 90, nil, nil)
		for _, code := range []string{"SHORT", "LONG"} {
			f.post(`{"token":"` + code + `","mac":"` + guestMAC + `"}`)
			f.post(`{"disconnect":true,"mac":"` + guestMAC + `"}`)
		}
	}
	runCheckinCases(t, []checkinCase{
		{name: "uses the token with the most minutes left", setup: withTokens, body: `{"mac":"112233445566"}`, check: tokenSession(90 * 60)},
		{name: "the most minutes left, not the token used last", setup: func(f *fixture) {
			f.token("LONG", 90, nil, nil)
			f.token("SHORT", 30, nil, nil)
			for _, code := range []string{"LONG", "SHORT"} {
				f.post(`{"token":"` + code + `","mac":"` + guestMAC + `"}`)
				f.post(`{"disconnect":true,"mac":"` + guestMAC + `"}`)
			}
		}, body: `{"mac":"112233445566"}`, check: tokenSession(90 * 60)},
		{name: "skips a token past its ValidTo for the member's own device", setup: func(f *fixture) {
			f.token("SOON", 60, nil, at(30*time.Minute))
			f.post(`{"token":"SOON","mac":"` + janeDevice + `"}`)
			f.clock.Advance(10 * time.Minute)
			f.post(`{"disconnect":true,"mac":"` + janeDevice + `"}`)
			f.clock.Advance(time.Hour)
		}, body: `{"mac":"` + janeDevice + `"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			memberSession(t, c, f.jane.ID, endOfDay, endOfDayLeft-70*60)
		}},
		{name: "comes before email and password", setup: withTokens,
			body: `{"email":"jane@example.com","password":"wrong-password","mac":"11:22:33:44:55:66"}`, check: tokenSession(90 * 60)},
		{name: "skips a spent token for the member's own device", setup: func(f *fixture) {
			tok := f.token("SPENT", 60, nil, nil)
			f.post(`{"token":"SPENT","mac":"` + janeDevice + `"}`)
			f.clock.Advance(2 * time.Hour)
			f.post(`{"disconnect":true,"mac":"` + janeDevice + `"}`)
			if left := *f.tokenByID(tok.ID).MinutesLeft; left != 0 {
				f.t.Fatalf("set-up: %d minutes left", left)
			}
		}, body: `{"mac":"` + janeDevice + `"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			memberSession(t, c, f.jane.ID, endOfDay, endOfDayLeft-2*3600)
		}},
	})
}

func TestCheckinDisconnect(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "checks a member out by device when no token has the MAC", setup: janeCheckedIn,
			body: `{"disconnect":true,"mac":"aa-bb-cc-dd-ee-01"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				checkedOut(t, c, &f.jane.ID)
				if open := f.open(f.jane.ID); len(open) != 0 {
					t.Errorf("open check-ins = %d, want 0", len(open))
				}
				if n := len(f.checkins()); n != 1 {
					t.Errorf("check-ins = %d, want 1: a disconnect creates none", n)
				}
			}},
		{name: "a member's device that is not checked in", body: `{"disconnect":true,"mac":"aa-bb-cc-dd-ee-01"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				if !c.WasSuccessful || c.Value.CheckedIn == nil || *c.Value.CheckedIn || len(f.checkins()) != 0 {
					t.Errorf("%+v, %d check-ins; want checked out and none created", c, len(f.checkins()))
				}
			}},
		{name: "stops the token with the most minutes", setup: func(f *fixture) {
			f.token("SHORT", 30, nil, nil)
			f.token("LONG", 90, nil, nil)
			f.post(`{"token":"SHORT","mac":"` + guestMAC + `"}`)
			f.post(`{"token":"LONG","mac":"` + guestMAC + `"}`)
			f.clock.Advance(5 * time.Minute)
		}, body: `{"disconnect":true,"mac":"11:22:33:44:55:66"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			if v := c.Value; v == nil || c.Message != "OK" || v.CheckedIn == nil || *v.CheckedIn || v.CoworkerID != nil {
				t.Errorf("%+v, want a token's check-out", c)
			}
			short, long := f.tokenByID(1), f.tokenByID(2)
			if *long.MinutesLeft != 85 || *short.MinutesLeft != 30 || short.LastAccess == nil {
				t.Errorf("minutes left = %d (LONG), %d (SHORT, last access %v); want 85 and 30, SHORT still running",
					*long.MinutesLeft, *short.MinutesLeft, short.LastAccess)
			}
			if n := len(f.checkins()); n != 2 {
				t.Errorf("check-ins = %d, want the 2 token sessions: a disconnect creates none", n)
			}
		}},
		{name: "an unknown device", body: `{"disconnect":true,"mac":"aa-bb-cc-dd-ee-77"}`, want: checkin.CodeNoAccessToSpace},
		{name: "without a MAC", body: `{"disconnect":true}`, want: checkin.CodeMACNotReceived},
		{name: "without a MAC, even with other credentials", body: `{"disconnect":true,"pincode":"1234"}`, want: checkin.CodeMACNotReceived},
	})
}

func janeCheckedIn(f *fixture) {
	if _, c := f.post(`{"pincode":"1234"}`); !c.WasSuccessful {
		f.t.Fatalf("set-up check-in refused: %+v", c)
	}
}

// checkedOut checks a check-out answer.
func checkedOut(t *testing.T, c checkin.Confirmation, coworkerID *int64) {
	t.Helper()
	v := c.Value
	if !c.WasSuccessful || c.Message != "OK" || v == nil || v.CheckedIn == nil || *v.CheckedIn || v.SessionTimeOut != 0 ||
		v.SessionExpire != storetest.Start.Format(checkin.CheckinTimeFormat) {
		t.Fatalf("%+v, want a check-out now", c)
	}
	if (coworkerID == nil) != (v.CoworkerID == nil) || coworkerID != nil && *v.CoworkerID != *coworkerID {
		t.Errorf("coworkerId = %v, want %v", v.CoworkerID, coworkerID)
	}
}

func TestCheckinToggle(t *testing.T) {
	runCheckinCases(t, []checkinCase{
		{name: "checks in when out", body: `{"toggle":true,"pincode":"1234"}`, check: janeIn(checkin.SourceManual)},
		{name: "checks out when in", setup: janeCheckedIn, body: `{"toggle":true,"accessCardId":"CARD-1"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				checkedOut(t, c, &f.jane.ID)
				if last := f.lastCheckin(); last.ToTime == nil || !last.ToTime.Equal(storetest.Start) || last.AutoCheckout {
					t.Errorf("checkin = %+v, want closed now, not automatically", last)
				}
			}},
		{name: "with email and password", setup: janeCheckedIn, body: `{"toggle":true,"email":"jane@example.com","password":"jane-password"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) { checkedOut(t, c, &f.jane.ID) }},
		{name: "records the MAC sent with it", body: `{"toggle":true,"pincode":"1234","mac":"aa-bb-cc-dd-ee-42"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				janeIn(checkin.SourceManual)(t, f, c)
				if got := f.lastCheckin().MacAddresses; got == nil || *got != "AA:BB:CC:DD:EE:42" {
					t.Errorf("MacAddresses = %v, want AA:BB:CC:DD:EE:42", got)
				}
			}},
		{name: "with the member's MAC", setup: janeCheckedIn, body: `{"toggle":true,"mac":"AA:BB:CC:DD:EE:01"}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) { checkedOut(t, c, &f.jane.ID) }},
		{name: "refused credentials", setup: janeCheckedIn, body: `{"toggle":true,"pincode":"9999"}`, want: checkin.CodeInvalidCredentials,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				if len(f.open(f.jane.ID)) != 1 {
					t.Error("a refused toggle checked Jane out")
				}
			}},
		{name: "stops a token session", setup: func(f *fixture) {
			f.token("GUEST", 60, nil, nil)
			f.post(`{"token":"GUEST","mac":"11:22:33:44:55:66"}`)
			f.clock.Advance(5 * time.Minute)
		}, body: `{"toggle":true,"token":"GUEST","mac":"11:22:33:44:55:66"}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
			if !c.WasSuccessful || *c.Value.CheckedIn || *f.tokenByID(1).MinutesLeft != 55 {
				t.Errorf("%+v, %d minutes left; want checked out with 55", c, *f.tokenByID(1).MinutesLeft)
			}
		}},
	})
}

func TestCheckinDoNotCheckIn(t *testing.T) {
	nothingWritten := func(t *testing.T, f *fixture, c checkin.Confirmation) {
		t.Helper()
		if n := len(f.checkins()); n != 0 {
			t.Errorf("check-ins = %d, want 0", n)
		}
	}
	runCheckinCases(t, []checkinCase{
		{name: "a valid pincode is confirmed and nothing recorded", body: `{"pincode":"1234","doNotCheckIn":true}`,
			check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				memberSession(t, c, f.jane.ID, endOfDay, endOfDayLeft)
				nothingWritten(t, f, c)
			}},
		{name: "a refusal is still a refusal, and recorded", body: `{"pincode":"9999","doNotCheckIn":true}`, want: checkin.CodeInvalidCredentials},
		{name: "a token is not started", setup: func(f *fixture) { f.token("GUEST", 60, nil, nil) },
			body: `{"token":"GUEST","mac":"11:22:33:44:55:66","doNotCheckIn":true}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				tokenSession(3600)(t, f, c)
				nothingWritten(t, f, c)
				if tok := f.tokenByID(1); tok.LastAccess != nil || tok.MacAddresses != "" {
					t.Errorf("token = %+v, want untouched", tok)
				}
			}},
		{name: "no device is registered", body: `{"email":"jane@example.com","password":"jane-password","mac":"aa:bb:cc:dd:ee:99","doNotCheckIn":"true"}`,
			check: hasDevices(janeDevice)},
		{name: "no one is signed up", setup: func(f *fixture) { userWithoutProfile(f); f.set("MembersSignUp", "True") },
			body: `{"email":"loner@example.com","password":"loner-password","doNotCheckIn":true}`, check: func(t *testing.T, f *fixture, c checkin.Confirmation) {
				if n := len(all(f, checkin.Coworkers, f.db.Coworkers())); n != 1 {
					t.Errorf("coworkers = %d, want 1 (Jane)", n)
				}
			}},
	})
}
