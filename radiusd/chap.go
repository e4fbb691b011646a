package radiusd

import (
	"crypto/md5"
	"crypto/subtle"
)

// chapMatches checks a CHAP-Password of 17 octets for password (RFC 2865
// §5.3, RFC 1994 §4.1: the identifier, then MD5 of the identifier, the
// password and the challenge). layeh.com/radius reads and writes the
// attribute but does not check it, and RADIUS.md accepts CHAP for MAC
// authentication (the password is the MAC or MacPassword, which the
// server has in the clear), so this is the one other part done by hand.
func chapMatches(chap, challenge []byte, password string) bool {
	h := md5.New()
	h.Write(chap[:1])
	h.Write([]byte(password))
	h.Write(challenge)
	return subtle.ConstantTimeCompare(h.Sum(nil), chap[1:]) == 1
}
