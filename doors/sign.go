package doors

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/checkin-oss/checkin"
)

// SignatureHeader carries an allow-list's signature:
// "ed25519 <key id> <base64 signature of the body's exact bytes>".
const SignatureHeader = "X-Checkin-Signature"

// PublicKey is one published key, as GET /api/public/doors/keys lists it.
type PublicKey struct {
	ID string `json:"kid"`
	X  string `json:"x"` // base64url of the Ed25519 public key
}

// KeySet is the body of GET /api/public/doors/keys.
type KeySet struct {
	Keys []PublicKey `json:"keys"`
}

// Public returns the published form of signing keys.
func Public(keys []checkin.SigningKey) KeySet {
	set := KeySet{Keys: make([]PublicKey, len(keys))}
	for i, k := range keys {
		pub := ed25519.PrivateKey(k.Private).Public().(ed25519.PublicKey)
		set.Keys[i] = PublicKey{ID: k.ID, X: base64.RawURLEncoding.EncodeToString(pub)}
	}
	return set
}

// sign returns the signature header of body.
func sign(k checkin.SigningKey, body []byte) string {
	sig := ed25519.Sign(ed25519.PrivateKey(k.Private), body)
	return "ed25519 " + k.ID + " " + base64.StdEncoding.EncodeToString(sig)
}

// ErrBadSignature is a list whose signature is missing, malformed, by an
// unknown key, or not of its body.
var ErrBadSignature = errors.New("doors: the allow-list's signature does not verify")

// Verify checks a signature header against body with the keys published.
func Verify(header string, body []byte, keys KeySet) error {
	parts := strings.Fields(header)
	if len(parts) != 3 || parts[0] != "ed25519" {
		return fmt.Errorf("%w: header %q is not \"ed25519 <kid> <signature>\"", ErrBadSignature, header)
	}
	sig, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return fmt.Errorf("%w: the signature is not base64", ErrBadSignature)
	}
	for _, k := range keys.Keys {
		if k.ID != parts[1] {
			continue
		}
		pub, err := base64.RawURLEncoding.DecodeString(k.X)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: key %s is malformed", ErrBadSignature, k.ID)
		}
		if !ed25519.Verify(pub, body, sig) {
			return fmt.Errorf("%w: not signed by key %s", ErrBadSignature, k.ID)
		}
		return nil
	}
	return fmt.Errorf("%w: key %s is not published", ErrBadSignature, parts[1])
}
