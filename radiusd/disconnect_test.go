package radiusd_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc3576"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/radiusd"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// coaReply is how the test's Disconnect server answers.
type coaReply int

const (
	coaACK coaReply = iota
	coaNAK
	coaSilent
)

// disconnects plays the access point's Disconnect server (RFC 5176) until
// the test ends: it checks each request's authenticators, answers as told,
// and sends the requests it got on the channel.
func (f *fixture) disconnects(answer coaReply) <-chan *radius.Packet {
	got := make(chan *radius.Packet, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, from, err := f.coa.ReadFrom(buf)
			if err != nil {
				return
			}
			b := append([]byte(nil), buf[:n]...)
			if !radius.IsAuthenticRequest(b, []byte(secret)) || !radiusd.MessageAuthenticatorValidForTest(b, []byte(secret)) {
				f.t.Errorf("Disconnect-Request with a bad authenticator")
				continue
			}
			p, err := radius.Parse(b, []byte(secret))
			if err != nil {
				f.t.Errorf("Disconnect-Request malformed: %v", err)
				continue
			}
			got <- p
			var reply *radius.Packet
			switch answer {
			case coaSilent:
				continue
			case coaACK:
				reply = p.Response(radius.CodeDisconnectACK)
			case coaNAK:
				reply = p.Response(radius.CodeDisconnectNAK)
				rfc3576.ErrorCause_Set(reply, rfc3576.ErrorCause_Value_SessionContextNotFound)
			}
			out, _ := reply.Encode()
			f.coa.WriteTo(out, from)
		}
	}()
	return got
}

func (f *fixture) wantDisconnect(got <-chan *radius.Packet, session, mac string) {
	f.t.Helper()
	if n, err := f.srv.EndSessions(f.ctx); err != nil || n != 1 {
		f.t.Fatalf("EndSessions started %d disconnects (%v), want 1", n, err)
	}
	select {
	case p := <-got:
		if p.Code != radius.CodeDisconnectRequest || p.Attributes[0].Type != 80 ||
			rfc2866.AcctSessionID_GetString(p) != session || rfc2865.CallingStationID_GetString(p) != dashed(mac) {
			f.t.Errorf("Disconnect-Request %v: want Message-Authenticator first, Acct-Session-Id %s, Calling-Station-Id %s", p.Attributes, session, dashed(mac))
		}
	case <-time.After(3 * time.Second):
		f.t.Fatal("no Disconnect-Request")
	}
	if n, _ := f.srv.EndSessions(f.ctx); n != 0 {
		f.t.Errorf("the session was disconnected %d more times", n)
	}
}

func TestDisconnectWhenASessionMustEnd(t *testing.T) {
	tests := []struct {
		name string
		end  func(f *fixture)
	}{
		{"an administrator closes the check-in", func(f *fixture) {
			c := f.openCheckins()[0]
			c.ToTime = checkin.TimePtr(f.clock.Now())
			if err := f.db.Checkins().Replace(f.ctx, c); err != nil {
				f.t.Fatal(err)
			}
		}},
		{"the daily cut-off closes the check-in", func(f *fixture) {
			f.clock.Advance(24 * time.Hour)
			storetest.Must(f.db.Sweep(f.ctx))
		}},
		{"the member is deactivated", func(f *fixture) {
			c := storetest.Must(f.db.Coworkers().Find(f.ctx, f.jane.ID))
			c.Active = false
			if err := f.db.Coworkers().Replace(f.ctx, c); err != nil {
				f.t.Fatal(err)
			}
		}},
		{"the device is deleted", func(f *fixture) { f.setDevices(janeLaptop) }},
		{"the member is deleted", func(f *fixture) {
			for _, c := range checkinsOf(f) {
				f.db.Checkins().Delete(f.ctx, c.ID)
			}
			if err := f.db.Coworkers().Delete(f.ctx, f.jane.ID); err != nil {
				f.t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				got := f.disconnects(coaACK)
				f.acctSend(start, "s1", janePhone, str(rfc2865.UserName_SetString, "aabbccddee01"))
				if n, _ := f.srv.EndSessions(f.ctx); n != 0 {
					t.Fatalf("%d sessions disconnected before anything changed", n)
				}
				tt.end(f)
				f.wantDisconnect(got, "s1", janePhone)
				waitFor(t, func() bool { return testutil.ToFloat64(f.srv.Metrics.Disconnects.WithLabelValues("ack")) == 1 }, "the ACK counted")
			})
		})
	}
}

func TestDisconnectWhenACodeRunsOutOrIsDeleted(t *testing.T) {
	for _, deleted := range []bool{false, true} {
		name := "minutes run out"
		if deleted {
			name = "code deleted"
		}
		t.Run(name, func(t *testing.T) {
			eachFixture(t, func(t *testing.T, f *fixture) {
				got := f.disconnects(coaNAK)
				tok := checkin.AccessTokens.New()
				tok.BusinessID, tok.AccessCode, tok.MinutesIncluded = f.loc.ID, "GUEST-5", 5
				id := storetest.Must(f.db.AccessTokens().Create(f.ctx, tok))
				reply := f.exchange(f.auth, packet(radius.CodeAccessRequest, str(rfc2865.UserName_SetString, "GUEST-5"),
					str(rfc2865.CallingStationID_SetString, dashed(guestDevice))))
				f.acctSend(start, "g1", guestDevice, str(rfc2865.Class_SetString, rfc2865.Class_GetString(reply)))
				f.clock.Advance(4 * time.Minute)
				if n, _ := f.srv.EndSessions(f.ctx); n != 0 {
					t.Fatalf("%d sessions disconnected with a minute left", n)
				}
				if deleted {
					if err := f.db.AccessTokens().Delete(f.ctx, id); err != nil {
						t.Fatal(err)
					}
				} else {
					f.clock.Advance(time.Minute)
				}
				f.wantDisconnect(got, "g1", guestDevice)
				waitFor(t, func() bool { return testutil.ToFloat64(f.srv.Metrics.Disconnects.WithLabelValues("nak")) == 1 }, "the NAK counted")
			})
		})
	}
}

func TestDisconnectRetriedThenCountedAsTimeout(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		got := f.disconnects(coaSilent)
		f.acctSend(start, "s1", janePhone)
		f.setDevices("")
		storetest.Must(f.srv.EndSessions(f.ctx))
		for i := range 3 { // the fixture's server tries twice more after the first
			select {
			case <-got:
			case <-time.After(3 * time.Second):
				t.Fatalf("%d Disconnect-Requests sent, want 3", i)
			}
		}
		waitFor(t, func() bool { return testutil.ToFloat64(f.srv.Metrics.Disconnects.WithLabelValues("timeout")) == 1 }, "the timeout counted")
	})
}
