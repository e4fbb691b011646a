package radiusd

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"

	"layeh.com/radius"
)

// Message-Authenticator (RFC 3579 §3.2; RFC 5176 §3.3 for Disconnect), which
// layeh.com/radius does not sign or check: HMAC-MD5, keyed by the shared
// secret, over the whole packet with the attribute's value taken as sixteen
// zero octets and the authenticator field holding the Request Authenticator
// (Access-Request, and the replies to it), or zeros (Accounting-Request,
// Disconnect-Request, CoA-Request).

const (
	attrMessageAuthenticator = 80
	messageAuthenticatorLen  = 18 // type, length, 16 octets
	wrongLength              = -2 // a Message-Authenticator that cannot be right
)

// findMessageAuthenticator returns the offset of the Message-Authenticator
// attribute in an encoded packet, -1 when it has none or the attributes
// are malformed, or wrongLength when it is not 16 octets long.
func findMessageAuthenticator(b []byte) int {
	if len(b) < 20 {
		return -1
	}
	end := int(binary.BigEndian.Uint16(b[2:4]))
	if end > len(b) {
		return -1
	}
	for i := 20; i+2 <= end; {
		n := int(b[i+1])
		if n < 2 || i+n > end {
			return -1
		}
		if b[i] == attrMessageAuthenticator {
			if n != messageAuthenticatorLen {
				return wrongLength
			}
			return i
		}
		i += n
	}
	return -1
}

// zeroAuthenticator reports whether a packet of this code computes its
// Message-Authenticator over a zero authenticator field.
func zeroAuthenticator(code radius.Code) bool {
	switch code {
	case radius.CodeAccountingRequest, radius.CodeDisconnectRequest, radius.CodeCoARequest:
		return true
	}
	return false
}

// messageAuthenticator computes the value for an encoded packet whose
// attribute is at offset at, with auth in its authenticator field.
func messageAuthenticator(b []byte, at int, auth []byte, secret []byte) []byte {
	end := int(binary.BigEndian.Uint16(b[2:4]))
	mac := hmac.New(md5.New, secret)
	mac.Write(b[:4])
	mac.Write(auth)
	mac.Write(b[20 : at+2])
	var zero [16]byte
	mac.Write(zero[:])
	mac.Write(b[at+messageAuthenticatorLen : end])
	return mac.Sum(nil)
}

// CheckMessageAuthenticator reports whether an encoded packet carries the
// attribute (present) and whether its value is right (valid). A reply is
// checked with its request's authenticator, reqAuth; a request with nil.
// The load tool checks every answer with it.
func CheckMessageAuthenticator(b []byte, reqAuth []byte, secret []byte) (present, valid bool) {
	at := findMessageAuthenticator(b)
	switch {
	case at == wrongLength:
		return true, false
	case at < 0:
		return false, false
	}
	auth := b[4:20]
	switch {
	case reqAuth != nil:
		auth = reqAuth
	case zeroAuthenticator(radius.Code(b[0])):
		auth = make([]byte, 16)
	}
	want := messageAuthenticator(b, at, auth, secret)
	return true, hmac.Equal(want, b[at+2:at+messageAuthenticatorLen])
}

// EncodeSigned encodes p with a Message-Authenticator as its first
// attribute (the server's replies, its Disconnect-Requests, and the load
// tool's requests): p.Authenticator is the request's for a reply, and is ignored
// for a Disconnect-Request, whose authenticator the library computes.
func EncodeSigned(p *radius.Packet) ([]byte, error) {
	p.Attributes = append(radius.Attributes{{Type: attrMessageAuthenticator, Attribute: make(radius.Attribute, 16)}}, withoutMessageAuthenticator(p.Attributes)...)
	b, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	auth := p.Authenticator[:]
	if zeroAuthenticator(p.Code) {
		auth = make([]byte, 16)
	}
	copy(p.Attributes[0].Attribute, messageAuthenticator(b, 20, auth, p.Secret))
	return p.Encode()
}

func withoutMessageAuthenticator(attrs radius.Attributes) radius.Attributes {
	out := attrs[:0:0]
	for _, a := range attrs {
		if a.Type != attrMessageAuthenticator {
			out = append(out, a)
		}
	}
	return out
}
