package radiusd

import (
	"net/netip"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"github.com/checkin-oss/checkin"
)

// FuzzDecode feeds any datagram to the packet checks of both ports: no
// panic, and nothing but a well-signed packet passes. Garbage never gets an
// answer, because only what decode passes is answered.
func FuzzDecode(f *testing.F) {
	c := &client{RadiusClient: checkin.RadiusClient{RequireMessageAuthenticator: true}, prefix: netip.MustParsePrefix("127.0.0.1/32"), secret: []byte("fuzz-secret")}
	good := radius.New(radius.CodeAccessRequest, c.secret)
	rfc2865.UserName_SetString(good, "aabbccddeeff")
	signed, _ := EncodeSigned(good)
	f.Add(signed)
	plain, _ := good.Encode()
	f.Add(plain)
	acct := radius.New(radius.CodeAccountingRequest, c.secret)
	b, _ := acct.Encode()
	f.Add(b)
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 22, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80, 0})
	s := &Server{}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, p := range []port{portAuth, portAcct} {
			pkt, kind, reason := s.decode(c, p, raw)
			if reason != "" {
				if pkt != nil {
					t.Fatalf("dropped (%s) but returned a packet", reason)
				}
				continue
			}
			present, valid := CheckMessageAuthenticator(raw, nil, c.secret)
			if kind != "accounting" && (!present || !valid) {
				t.Fatalf("%s passed without a valid Message-Authenticator", kind)
			}
			if kind == "accounting" && !radius.IsAuthenticRequest(raw, c.secret) {
				t.Fatal("accounting passed with a bad Request Authenticator")
			}
			readAccessRequest(pkt) // reading every attribute must not panic
			sessionOf(c, pkt)
		}
	})
}
