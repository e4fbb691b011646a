package radiusd

import "layeh.com/radius"

// EncodeForTest encodes a request as a client does: Access-Request and
// Status-Server with a Message-Authenticator, accounting with its
// Request Authenticator.
func EncodeForTest(p *radius.Packet) []byte {
	var b []byte
	var err error
	if p.Code == radius.CodeAccountingRequest {
		b, err = p.Encode()
	} else {
		b, err = EncodeSigned(p)
	}
	if err != nil {
		panic(err)
	}
	return b
}

// MessageAuthenticatorValidForTest checks a request's Message-Authenticator.
func MessageAuthenticatorValidForTest(b, secret []byte) bool {
	present, valid := CheckMessageAuthenticator(b, nil, secret)
	return present && valid
}
