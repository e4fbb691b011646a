package radiusd_test

import (
	"bytes"
	"encoding/binary"
	"net"
	"strings"
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

const noAnswerWait = 300 * time.Millisecond

func macAuth(mac string) *radius.Packet {
	return packet(radius.CodeAccessRequest, str(rfc2865.UserName_SetString, mac), str(rfc2865.CallingStationID_SetString, mac))
}

// assertNothing checks that bad packets changed nothing: no check-in, no
// FailedCheckin, no accounting session.
func (f *fixture) assertNothing(t *testing.T) {
	t.Helper()
	if open := f.openCheckins(); len(open) != 0 {
		t.Errorf("%d check-ins opened by dropped packets", len(open))
	}
	if failed := f.failed(); len(failed) != 0 {
		t.Errorf("%d FailedCheckins recorded for dropped packets", len(failed))
	}
	var n int
	if err := storetest.SQL(t, f.dsn()).QueryRow("SELECT count(*) FROM radius_sessions").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d accounting sessions recorded for dropped packets (%v)", n, err)
	}
}

func TestBadPacketsGetNoAnswer(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		wrongSecret := func(p *radius.Packet) *radius.Packet { p.Secret = []byte("another-secret"); return p }
		encode := func(p *radius.Packet) []byte { return radiusd.EncodeForTest(p) }
		plain := func(p *radius.Packet) []byte { b, _ := p.Encode(); return b }
		acctStart := func() *radius.Packet {
			return packet(radius.CodeAccountingRequest, str(rfc2866.AcctSessionID_SetString, "s1"),
				str(rfc2865.CallingStationID_SetString, dashed(janePhone)),
				func(p *radius.Packet) error { return rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start) })
		}
		tests := []struct {
			name, to, reason string
			b                []byte
		}{
			{"wrong Message-Authenticator", "auth", "bad_message_authenticator", encode(wrongSecret(macAuth(dashed(janePhone))))},
			{"no Message-Authenticator", "auth", "missing_message_authenticator", plain(macAuth(dashed(janePhone)))},
			{"accounting with a wrong Request Authenticator", "acct", "bad_authenticator", encode(wrongSecret(acctStart()))},
			{"Access-Request on the accounting port", "acct", "unexpected_code", encode(macAuth(dashed(janePhone)))},
			{"Accounting-Request on the authentication port", "auth", "unexpected_code", encode(acctStart())},
			{"Status-Server without Message-Authenticator", "auth", "missing_message_authenticator", plain(packet(radius.CodeStatusServer))},
			{"shorter than a header", "auth", "malformed", []byte{1, 2, 0, 19}},
			{"length past the datagram", "auth", "malformed", withLength(encode(macAuth(dashed(janePhone))), 400)},
			{"attribute length past the packet", "auth", "malformed", brokenAttribute(encode(macAuth(dashed(janePhone))))},
			{"Access-Accept sent to the server", "auth", "unexpected_code", func() []byte { b := encode(macAuth(dashed(janePhone))); b[0] = 2; return b }()},
			{"an unknown code", "auth", "unexpected_code", withCode(encode(macAuth(dashed(janePhone))), 200)},
			{"CoA-Request sent to the server", "acct", "unexpected_code", withCode(encode(acctStart()), byte(radius.CodeCoARequest))},
			{"accounting with a wrong Message-Authenticator", "acct", "bad_message_authenticator", plain(withZeroMessageAuthenticator(acctStart()))},
			{"Message-Authenticator of 4 octets", "auth", "bad_message_authenticator", plain(withShortMessageAuthenticator(macAuth(dashed(janePhone))))},
			{"Status-Server with a wrong Message-Authenticator", "auth", "bad_message_authenticator", encode(wrongSecret(packet(radius.CodeStatusServer)))},
			{"Status-Server without Message-Authenticator, accounting port", "acct", "missing_message_authenticator", plain(packet(radius.CodeStatusServer))},
			{"length under a header's", "auth", "malformed", withLength(encode(macAuth(dashed(janePhone))), 19)},
			{"attribute length under 2", "auth", "malformed", func() []byte { b := encode(macAuth(dashed(janePhone))); b[21] = 1; return b }()},
			{"accounting, attribute length past the packet", "acct", "malformed", brokenAttribute(encode(acctStart()))},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := testutil.ToFloat64(f.srv.Metrics.Dropped.WithLabelValues(tt.reason))
				addr := f.auth
				if tt.to == "acct" {
					addr = f.acct
				}
				if reply := send(t, addr, tt.b, noAnswerWait); reply != nil {
					t.Fatalf("answered %v", radius.Code(reply[0]))
				}
				waitFor(t, func() bool { return testutil.ToFloat64(f.srv.Metrics.Dropped.WithLabelValues(tt.reason)) == before+1 },
					"the drop counted as "+tt.reason)
			})
		}
		f.assertNothing(t)
	})
}

func TestUnknownSourceGetsNoAnswer(t *testing.T) {
	eachFixtureWith(t, func(c *checkin.RadiusClient) { c.Address = "192.0.2.0/24" }, func(t *testing.T, f *fixture) {
		acctStart := packet(radius.CodeAccountingRequest, str(rfc2866.AcctSessionID_SetString, "s1"),
			str(rfc2865.CallingStationID_SetString, dashed(janePhone)),
			func(p *radius.Packet) error { return rfc2866.AcctStatusType_Set(p, rfc2866.AcctStatusType_Value_Start) })
		for i, sent := range []struct {
			addr string
			p    *radius.Packet
		}{{f.auth, macAuth(dashed(janePhone))}, {f.acct, acctStart}, {f.acct, packet(radius.CodeStatusServer)}} {
			if reply := send(t, sent.addr, radiusd.EncodeForTest(sent.p), noAnswerWait); reply != nil {
				t.Fatalf("%v from an unknown address was answered", sent.p.Code)
			}
			waitFor(t, func() bool {
				return testutil.ToFloat64(f.srv.Metrics.Dropped.WithLabelValues("unknown_client")) == float64(i+1)
			}, "the drop counted")
		}
		f.assertNothing(t)
	})
}

func TestMessageAuthenticatorOptional(t *testing.T) {
	eachFixtureWith(t, func(c *checkin.RadiusClient) { c.RequireMessageAuthenticator = false }, func(t *testing.T, f *fixture) {
		wrong := radiusd.EncodeForTest(macAuth(dashed(janePhone)))
		wrong[22] ^= 1 // the value of Message-Authenticator, the first attribute
		for name, b := range map[string][]byte{"a wrong Message-Authenticator": wrong,
			"a Message-Authenticator of 4 octets": func() []byte { b, _ := withShortMessageAuthenticator(macAuth(dashed(janePhone))).Encode(); return b }()} {
			if reply := send(t, f.auth, b, noAnswerWait); reply != nil {
				t.Fatalf("%s was answered by a client that need not sign", name)
			}
		}
		waitFor(t, func() bool {
			return testutil.ToFloat64(f.srv.Metrics.Dropped.WithLabelValues("bad_message_authenticator")) == 2
		}, "the drops counted")
		f.assertNothing(t)
		b, _ := macAuth(dashed(janePhone)).Encode()
		reply := send(t, f.auth, b, 3*time.Second)
		if reply == nil || radius.Code(reply[0]) != radius.CodeAccessAccept {
			t.Fatal("a client that need not sign was not accepted")
		}
		if reply[20] != 80 {
			t.Errorf("first attribute %d, want Message-Authenticator", reply[20])
		}
	})
}

func TestRetransmissionIsAnsweredFromTheCache(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		b := radiusd.EncodeForTest(macAuth(dashed(guestDevice)))
		conn, err := net.Dial("udp", f.auth)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		first := sendOn(t, conn, b, 3*time.Second)
		again := sendOn(t, conn, b, 3*time.Second)
		if first == nil || !bytes.Equal(first, again) {
			t.Fatalf("retransmission answered %x, first %x", again, first)
		}
		if n := len(f.failed()); n != 1 {
			t.Errorf("%d FailedCheckins, want 1: the retransmission was decided again", n)
		}
		other := radiusd.EncodeForTest(macAuth(dashed(guestDevice))) // a new request: decided
		if send(t, f.auth, other, 3*time.Second) == nil || len(f.failed()) != 2 {
			t.Errorf("a new request was not decided")
		}
	})
}

func TestStatusServer(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		for addr, want := range map[string]radius.Code{f.auth: radius.CodeAccessAccept, f.acct: radius.CodeAccountingResponse} {
			reply := f.exchange(addr, packet(radius.CodeStatusServer))
			if reply.Code != want || reply.Attributes[0].Type != 80 {
				t.Errorf("Status-Server answered %v, first attribute %d; want %v with Message-Authenticator", reply.Code, reply.Attributes[0].Type, want)
			}
		}
	})
}

func withLength(b []byte, n int) []byte {
	binary.BigEndian.PutUint16(b[2:4], uint16(n))
	return b
}

func withCode(b []byte, code byte) []byte {
	b[0] = code
	return b
}

// withZeroMessageAuthenticator adds a Message-Authenticator of zeros,
// which the Request Authenticator then covers: only it is wrong.
func withZeroMessageAuthenticator(p *radius.Packet) *radius.Packet {
	p.Add(80, make([]byte, 16))
	return p
}

func withShortMessageAuthenticator(p *radius.Packet) *radius.Packet {
	p.Add(80, []byte{1, 2, 3, 4})
	return p
}

func brokenAttribute(b []byte) []byte {
	b[21] = 250 // the first attribute claims more than the packet holds
	return b
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Errorf("timed out waiting for %s", what)
}

// TestNoSecretInTheLog sends packets of every kind, good and bad, with the
// server logging at debug level: neither the shared secret nor a password
// may appear in the log.
func TestNoSecretInTheLog(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		f.disconnects(coaNAK)
		pap := func(user, pw string) *radius.Packet {
			return packet(radius.CodeAccessRequest, str(rfc2865.UserName_SetString, user), str(rfc2865.UserPassword_SetString, pw),
				str(rfc2865.CallingStationID_SetString, dashed(janeLaptop)))
		}
		f.exchange(f.auth, pap(janeEmail, janePass))
		f.exchange(f.auth, pap(janeEmail, "Wr0ngPassw0rdQ"))
		f.exchange(f.auth, pap("T0kenC0deX", "T0kenC0deX"))
		bad := pap(janeEmail, janePass)
		bad.Secret = []byte("An0therSecretV")
		send(t, f.auth, radiusd.EncodeForTest(bad), noAnswerWait)
		f.acctSend(start, "s1", janePhone)
		f.setDevices(janeLaptop)
		storetest.Must(f.srv.EndSessions(f.ctx))
		waitFor(t, func() bool { return testutil.ToFloat64(f.srv.Metrics.Disconnects.WithLabelValues("nak")) == 1 }, "the NAK")
		logs := f.logs.String()
		if !strings.Contains(logs, "radius:") {
			t.Fatalf("nothing logged: the test would pass without looking")
		}
		for _, s := range []string{secret, janePass, "Wr0ngPassw0rdQ", "An0therSecretV"} {
			if strings.Contains(logs, s) {
				t.Errorf("the log holds %q:\n%s", s, logs)
			}
		}
	})
}
