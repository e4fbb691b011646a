package radiusd_test

import (
	"net"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/radiusd"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// acctPacket is an Accounting-Request as acctSend sends it, encoded.
func acctPacket(status rfc2866.AcctStatusType, session, mac string) []byte {
	attrs := []func(*radius.Packet) error{func(p *radius.Packet) error { return rfc2866.AcctStatusType_Set(p, status) }}
	if session != "" {
		attrs = append(attrs, str(rfc2866.AcctSessionID_SetString, session), str(rfc2865.CallingStationID_SetString, dashed(mac)))
	}
	return radiusd.EncodeForTest(packet(radius.CodeAccountingRequest, attrs...))
}

// notAnswered sends b from conn while the engine's database is down: it
// must be dropped unanswered (counted as an error), as RFC 2866 asks of
// accounting the server could not record.
func (f *fixture) notAnswered(conn net.Conn, b []byte) {
	f.t.Helper()
	before := testutil.ToFloat64(f.srv.Metrics.Dropped.WithLabelValues("error"))
	if reply := sendOn(f.t, conn, b, noAnswerWait); reply != nil {
		f.t.Fatalf("answered %v although the check-out was not stored", radius.Code(reply[0]))
	}
	waitFor(f.t, func() bool { return testutil.ToFloat64(f.srv.Metrics.Dropped.WithLabelValues("error")) == before+1 },
		"the request dropped as an error")
}

// resent sends b again from conn, as the client retransmits it, and
// fails the test unless it is answered.
func (f *fixture) resent(conn net.Conn, b []byte) {
	f.t.Helper()
	if reply := sendOn(f.t, conn, b, 3*time.Second); reply == nil || radius.Code(reply[0]) != radius.CodeAccountingResponse {
		f.t.Fatalf("the retransmission was not answered with Accounting-Response")
	}
}

func (f *fixture) checkoutsPending() int {
	var n int
	if err := storetest.SQL(f.t, f.dsn()).QueryRow("SELECT count(*) FROM radius_sessions WHERE checkout_pending").Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func dialUDP(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// TestACheckoutThatFailsIsResent: the engine's database fails after the
// sessions are stopped, so the request is not answered; its
// retransmission, once the database is back, checks Jane out, unless she
// came back on another device meanwhile.
func TestACheckoutThatFailsIsResent(t *testing.T) {
	tests := []struct {
		name      string
		sessions  map[string]string // Acct-Session-Id: device, started first
		request   []byte
		meanwhile func(f *fixture)
		wantIn    bool
	}{
		{"Stop", map[string]string{"s1": janePhone}, acctPacket(stop, "s1", janePhone), nil, false},
		{"Stop, then another device starts", map[string]string{"phone-1": janePhone}, acctPacket(stop, "phone-1", janePhone),
			func(f *fixture) { f.acctSend(start, "laptop-1", janeLaptop) }, true},
		{"Stop, then she checks in again", map[string]string{"s1": janePhone}, acctPacket(stop, "s1", janePhone),
			func(f *fixture) { // her check-in is closed and opened again after the session stopped
				f.engineCheckIn(checkin.CheckinRequest{MAC: janePhone, Disconnect: true})
				f.engineCheckIn(checkin.CheckinRequest{MAC: janePhone})
			}, true},
		{"Accounting-On", map[string]string{"phone-1": janePhone, "laptop-1": janeLaptop},
			acctPacket(rfc2866.AcctStatusType_Value_AccountingOn, "", ""), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				for id, mac := range tt.sessions {
					f.acctSend(start, id, mac)
				}
				conn := dialUDP(t, f.acct)
				restore := f.engineOutage()
				f.notAnswered(conn, tt.request)
				restore()
				f.clock.Advance(30 * time.Second) // the client resends later
				if tt.meanwhile != nil {
					tt.meanwhile(f)
				}
				f.resent(conn, tt.request)
				if got := f.janeIn(); got != tt.wantIn {
					t.Errorf("Jane checked in: %v after the request was resent, want %v", got, tt.wantIn)
				}
				if n := f.checkoutsPending(); n != 0 {
					t.Errorf("%d check-outs still pending", n)
				}
			})
		})
	}
}
