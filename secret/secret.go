// Package secret hashes what the service must not store in the clear:
// passwords (argon2id) and the OAuth2 tokens it issues (SHA-256).
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new password hashes: 7 MiB of memory, 5 passes,
// 1 lane. OWASP's password storage cheat sheet gives five argon2id
// configurations that it holds equally strong, trading memory for passes,
// from 46 MiB and 1 pass through its minimum of 19 MiB and 2 passes to
// 7 MiB and 5 passes; this is the last. Memory is what a burst of password
// check-ins costs the server, hashes running side by side, so the store
// takes the least of it (docs/performance.md has the measurements).
// Hashes keep their own parameters, so these can change without
// invalidating stored passwords; a sign-in that matches a hash made with
// others stores a new one (Upgrade).
const (
	ArgonMemoryKiB = 7 * 1024
	ArgonTime      = 5
	ArgonThreads   = 1
	saltLen        = 16
	keyLen         = 32
)

// hashing bounds how many argon2id computations run at once, so that a burst
// of password check-ins cannot take their memory without limit.
var hashing = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// dummyHash is verified against when a user is unknown, so that the answer
// takes as long as for a known user with a wrong password.
var dummyHash = mustHash("not a real password, only for timing")

func mustHash(pw string) string {
	h, err := HashPassword(pw)
	if err != nil {
		panic(err)
	}
	return h
}

// HashPassword returns an argon2id hash of pw in the PHC string format.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	hashing <- struct{}{}
	key := argon2.IDKey([]byte(pw), salt, ArgonTime, ArgonMemoryKiB, ArgonThreads, keyLen)
	<-hashing
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, ArgonMemoryKiB, ArgonTime, ArgonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the encoded hash. An empty or
// malformed hash never matches, but takes as long as one that might: it is
// checked against a dummy hash instead.
func VerifyPassword(encoded, pw string) bool {
	h, ok := parseHash(encoded)
	if !ok {
		h, _ = parseHash(dummyHash)
	}
	hashing <- struct{}{}
	got := argon2.IDKey([]byte(pw), h.salt, h.passes, h.memoryKiB, h.threads, uint32(len(h.key)))
	<-hashing
	return subtle.ConstantTimeCompare(got, h.key) == 1 && ok
}

// Upgrade returns a new hash of pw when encoded, a hash that pw matched,
// was made with parameters other than today's; ok is false when encoded may
// stay. Checked with its own parameters, such a hash takes another time
// than the dummy hash an unknown email is checked against, and the time
// would tell whose password is that old.
func Upgrade(encoded, pw string) (hash string, ok bool) {
	h, parsed := parseHash(encoded)
	if !parsed || h.memoryKiB == ArgonMemoryKiB && h.passes == ArgonTime && h.threads == ArgonThreads && len(h.key) == keyLen {
		return "", false
	}
	hash, err := HashPassword(pw)
	return hash, err == nil
}

// argonHash is a stored argon2id hash with its parameters.
type argonHash struct {
	memoryKiB, passes uint32
	threads           uint8
	salt, key         []byte
}

// parseHash reads a hash in the PHC string format that HashPassword
// writes. Parameters beyond sane bounds (1 GiB, 16 passes) are refused, so
// that a tampered row cannot make a sign-in cost without limit.
func parseHash(encoded string) (argonHash, bool) {
	var h argonHash
	var version int
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, false
	}
	_, err1 := fmt.Sscanf(parts[2], "v=%d", &version)
	_, err2 := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.memoryKiB, &h.passes, &h.threads)
	salt, err3 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err4 := base64.RawStdEncoding.DecodeString(parts[5])
	h.salt, h.key = salt, key
	ok := err1 == nil && err2 == nil && err3 == nil && err4 == nil && version == argon2.Version &&
		h.memoryKiB > 0 && h.memoryKiB <= 1<<20 && h.passes > 0 && h.passes <= 16 && h.threads > 0 && len(h.key) > 0 && len(h.key) <= 64
	return h, ok
}

// NewToken returns a random token of 256 bits, URL-safe.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the SHA-256 of an issued token, as stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
