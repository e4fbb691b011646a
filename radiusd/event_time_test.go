package radiusd_test

import (
	"testing"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func eventAt(t time.Time) func(*radius.Packet) error {
	return func(p *radius.Packet) error { return rfc2869.EventTimestamp_Set(p, t) }
}

func delayed(seconds int) func(*radius.Packet) error {
	return func(p *radius.Packet) error { return rfc2866.AcctDelayTime_Set(p, rfc2866.AcctDelayTime(seconds)) }
}

// janeLastCheckin is Jane's latest check-in.
func (f *fixture) janeLastCheckin() *checkin.Checkin {
	f.t.Helper()
	var last *checkin.Checkin
	for _, c := range checkinsOf(f) {
		if c.CoworkerID != nil && *c.CoworkerID == f.jane.ID && (last == nil || c.ID > last.ID) {
			last = c
		}
	}
	if last == nil {
		f.t.Fatal("Jane has no check-in")
	}
	return last
}

// TestStopIsAtTheEventTime: Jane's phone starts at t0, and the Stop (or
// Accounting-On/Off) arrives an hour later: she is checked out at the
// time the packet gives when it is sane, else at the server's time.
func TestStopIsAtTheEventTime(t *testing.T) {
	t0 := storetest.Start
	now := t0.Add(time.Hour) // when the Stop arrives
	tests := []struct {
		name    string
		status  rfc2866.AcctStatusType
		attrs   []func(*radius.Packet) error
		between func(f *fixture) // after the Start, before the Stop arrives
		want    time.Time
	}{
		{"Event-Timestamp", stop, []func(*radius.Packet) error{eventAt(t0.Add(20 * time.Minute))}, nil, t0.Add(20 * time.Minute)},
		{"Acct-Delay-Time", stop, []func(*radius.Packet) error{delayed(600)}, nil, now.Add(-10 * time.Minute)},
		{"Event-Timestamp with Acct-Delay-Time: the timestamp", stop,
			[]func(*radius.Packet) error{eventAt(t0.Add(20 * time.Minute)), delayed(600)}, nil, t0.Add(20 * time.Minute)},
		{"neither", stop, nil, nil, now},
		{"Event-Timestamp ahead of the server", stop, []func(*radius.Packet) error{eventAt(now.Add(5 * time.Second))}, nil, now},
		{"Event-Timestamp before the session's start", stop, []func(*radius.Packet) error{eventAt(t0.Add(-time.Minute))}, nil, now},
		{"Acct-Delay-Time longer than the session", stop, []func(*radius.Packet) error{delayed(2 * 3600)}, nil, now},
		{"Event-Timestamp before Jane's open check-in", stop, []func(*radius.Packet) error{eventAt(t0.Add(15 * time.Minute))},
			func(f *fixture) { // an administrator closes her check-in; she checks in again at t0+20m
				f.clock.Advance(10 * time.Minute)
				f.engineCheckIn(checkin.CheckinRequest{MAC: janePhone, Disconnect: true})
				f.clock.Advance(10 * time.Minute)
				f.engineCheckIn(checkin.CheckinRequest{MAC: janePhone})
			}, now},
		{"Accounting-On at its Event-Timestamp", rfc2866.AcctStatusType_Value_AccountingOn,
			[]func(*radius.Packet) error{eventAt(t0.Add(30 * time.Minute))}, nil, t0.Add(30 * time.Minute)},
		{"Accounting-Off before the session's start", rfc2866.AcctStatusType_Value_AccountingOff,
			[]func(*radius.Packet) error{eventAt(t0.Add(-time.Hour))}, nil, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				f.acctSend(start, "s1", janePhone)
				if tt.between != nil {
					tt.between(f)
				}
				f.clock.Set(now)
				session, mac := "s1", janePhone
				if tt.status != stop {
					session, mac = "", ""
				}
				f.acctSend(tt.status, session, mac, tt.attrs...)
				got := f.janeLastCheckin()
				if got.ToTime == nil || !got.ToTime.Equal(tt.want) {
					t.Errorf("Jane checked out at %v, want %v", got.ToTime, tt.want.Format(time.RFC3339))
				}
				var stopped checkin.Time
				if err := storetest.SQL(t, f.dsn()).QueryRow("SELECT stopped_on FROM radius_sessions WHERE acct_session_id = 's1'").Scan(&stopped); err != nil || !stopped.Equal(tt.want) {
					t.Errorf("the session stopped at %v (%v), want %v", stopped, err, tt.want.Format(time.RFC3339))
				}
			})
		})
	}
}

func (f *fixture) engineCheckIn(req checkin.CheckinRequest) {
	f.t.Helper()
	out, err := f.srv.Engine.CheckIn(f.ctx, f.loc, req)
	if err != nil || out.Refused() {
		f.t.Fatalf("check-in %+v: %v %s", req, err, out.Result)
	}
}

// TestWiFiCodeMinutesAreSpentToTheEventTime: a code's device starts at t0
// and its Stop, sent 40 minutes later, says it left at t0+10m: 10 of its
// 30 minutes are spent.
func TestWiFiCodeMinutesAreSpentToTheEventTime(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		id, reply := f.guestLogin("GUEST-42", 30)
		if reply.Code != radius.CodeAccessAccept {
			t.Fatalf("code refused: %q", rfc2865.ReplyMessage_GetString(reply))
		}
		class := str(rfc2865.Class_SetString, rfc2865.Class_GetString(reply))
		f.acctSend(start, "g1", guestDevice, class)
		f.clock.Advance(40 * time.Minute)
		f.acctSend(stop, "g1", guestDevice, class, eventAt(storetest.Start.Add(10*time.Minute)))
		if got := storetest.Must(f.db.AccessTokens().Find(f.ctx, id)); *got.MinutesLeft != 20 {
			t.Errorf("MinutesLeft %d after a Stop at t0+10m, want 20", *got.MinutesLeft)
		}
	})
}
