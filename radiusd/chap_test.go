package radiusd

import (
	"encoding/hex"
	"testing"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
)

// The vector's MD5 was computed by md5sum over the identifier 0x2a, the
// password "aabbccddee02" and the challenge 00 01 ... 0f.
func TestCHAPMatches(t *testing.T) {
	challenge := make([]byte, 16)
	for i := range challenge {
		challenge[i] = byte(i)
	}
	sum, _ := hex.DecodeString("976938474b669ab3b63f56127b13acb6")
	chap := append([]byte{0x2a}, sum...)
	tests := []struct {
		name      string
		chap      []byte
		challenge []byte
		password  string
		want      bool
	}{
		{"the vector", chap, challenge, "aabbccddee02", true},
		{"another password", chap, challenge, "AABBCCDDEE02", false},
		{"another identifier", append([]byte{0x2b}, sum...), challenge, "aabbccddee02", false},
		{"another challenge", chap, make([]byte, 16), "aabbccddee02", false},
	}
	for _, tt := range tests {
		if got := chapMatches(tt.chap, tt.challenge, tt.password); got != tt.want {
			t.Errorf("%s: chapMatches = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// The challenge is CHAP-Challenge when sent, else the Request
// Authenticator (RFC 2865 §2.2).
func TestCHAPChallengeOfARequest(t *testing.T) {
	p := radius.New(radius.CodeAccessRequest, []byte("secret"))
	if got := readAccessRequest(p).chapChall; string(got) != string(p.Authenticator[:]) {
		t.Errorf("without CHAP-Challenge the challenge is %x, want the authenticator %x", got, p.Authenticator)
	}
	rfc2865.CHAPChallenge_Set(p, []byte("0123456789abcdef"))
	if got := readAccessRequest(p).chapChall; string(got) != "0123456789abcdef" {
		t.Errorf("the challenge is %q, want CHAP-Challenge's", got)
	}
}
