package radiusd_test

import (
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// acct sends an Accounting-Request and fails the test unless it is answered.
func (f *fixture) acctSend(status rfc2866.AcctStatusType, session, mac string, more ...func(*radius.Packet) error) {
	f.t.Helper()
	attrs := []func(*radius.Packet) error{func(p *radius.Packet) error { return rfc2866.AcctStatusType_Set(p, status) }}
	if session != "" {
		attrs = append(attrs, str(rfc2866.AcctSessionID_SetString, session))
	}
	if mac != "" {
		attrs = append(attrs, str(rfc2865.CallingStationID_SetString, dashed(mac)))
	}
	reply := f.exchange(f.acct, packet(radius.CodeAccountingRequest, append(attrs, more...)...))
	if reply.Code != radius.CodeAccountingResponse {
		f.t.Fatalf("answered %v, want Accounting-Response", reply.Code)
	}
}

const (
	start   = rfc2866.AcctStatusType_Value_Start
	stop    = rfc2866.AcctStatusType_Value_Stop
	interim = rfc2866.AcctStatusType_Value_InterimUpdate
)

// janeIn reports whether Jane has a check-in open.
func (f *fixture) janeIn() bool {
	for _, c := range f.openCheckins() {
		if c.CoworkerID != nil && *c.CoworkerID == f.jane.ID {
			return true
		}
	}
	return false
}

func TestAccountingChecksAMemberInAndOut(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.acctSend(start, "s1", janePhone)
		if !f.janeIn() {
			t.Fatal("Start did not check Jane in")
		}
		f.clock.Advance(10 * time.Minute)
		f.acctSend(interim, "s1", janePhone)
		if open := f.openCheckins(); len(open) != 1 || !open[0].LastActivity.Equal(f.clock.Now()) {
			t.Errorf("Interim-Update did not refresh LastActivity: %+v", open)
		}
		f.acctSend(stop, "s1", janePhone)
		if f.janeIn() {
			t.Fatal("Stop did not check Jane out")
		}
		f.acctSend(stop, "s1", janePhone) // resent: answered, nothing more
		f.acctSend(interim, "s1", janePhone)
		f.acctSend(start, "s1", janePhone) // a late Start of the stopped session
		if f.janeIn() {
			t.Error("a message about a stopped session checked Jane in again")
		}
		if n := len(checkinsOf(f)); n != 1 {
			t.Errorf("%d check-ins, want 1", n)
		}
	})
}

func checkinsOf(f *fixture) []*checkin.Checkin {
	q := checkin.Checkins.DefaultListQuery()
	q.Size = checkin.MaxPageSize
	recs, _, err := f.db.Checkins().List(f.ctx, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return recs
}

func TestTwoDevicesStayCheckedInUntilTheLastLeaves(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.acctSend(start, "phone-1", janePhone)
		f.acctSend(start, "laptop-1", janeLaptop)
		f.acctSend(stop, "phone-1", janePhone)
		if !f.janeIn() {
			t.Fatal("Jane checked out while her laptop is still on")
		}
		f.acctSend(stop, "laptop-1", janeLaptop)
		if f.janeIn() {
			t.Fatal("Jane still checked in after both devices left")
		}
	})
}

func TestStopBeforeStartDoesNoHarm(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.acctSend(stop, "s9", janePhone)
		f.acctSend(start, "s9", janePhone)
		f.acctSend(interim, "s9", janePhone)
		if f.janeIn() || len(f.failed()) != 0 {
			t.Errorf("a Stop then its late Start: checked in %v, %d FailedCheckins; want neither", f.janeIn(), len(f.failed()))
		}
		f.acctSend(start, "", janePhone) // no Acct-Session-Id: answered, ignored
		f.acctSend(start, "s10", "")     // no device
		if f.janeIn() {
			t.Error("a Start without a session or device checked Jane in")
		}
	})
}

func TestAccountingOnStopsEverySessionOfTheClient(t *testing.T) {
	for _, status := range []rfc2866.AcctStatusType{rfc2866.AcctStatusType_Value_AccountingOn, rfc2866.AcctStatusType_Value_AccountingOff} {
		t.Run(status.String(), func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				f.acctSend(start, "phone-1", janePhone)
				f.acctSend(start, "laptop-1", janeLaptop)
				f.acctSend(status, "", "")
				if f.janeIn() {
					t.Fatal("Jane still checked in after the access point restarted")
				}
				f.acctSend(status, "", "") // again: nothing to stop
			})
		})
	}
}

func TestWiFiCodeMinutesAreSpentFromStartToStop(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id, reply := f.guestLogin("GUEST-42", 30)
		if reply.Code != radius.CodeAccessAccept || rfc2865.Class_GetString(reply) != "checkin:t:"+itoa(id) {
			t.Fatalf("code refused or wrong Class: %v %q %q", reply.Code, rfc2865.ReplyMessage_GetString(reply), rfc2865.Class_GetString(reply))
		}
		if got := rfc2865.SessionTimeout_Get(reply); got != 30*60 {
			t.Errorf("Session-Timeout %d, want 1800", got)
		}
		class := str(rfc2865.Class_SetString, rfc2865.Class_GetString(reply))
		f.acctSend(start, "g1", guestDevice, class)
		f.clock.Advance(10 * time.Minute)
		f.acctSend(interim, "g1", guestDevice, class)
		f.acctSend(stop, "g1", guestDevice, class)
		f.acctSend(stop, "g1", guestDevice, class)
		got := storetest.Must(f.db.AccessTokens().Find(f.ctx, id))
		if *got.MinutesLeft != 20 {
			t.Errorf("MinutesLeft %d after 10 minutes on, want 20", *got.MinutesLeft)
		}
	})
}
