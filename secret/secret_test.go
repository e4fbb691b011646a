package secret

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestPasswordHashesKeepTheirParameters(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", ArgonMemoryKiB, ArgonTime, ArgonThreads)
	if !strings.HasPrefix(h, want) || strings.Contains(h, "correct horse") {
		t.Errorf("hash %q, want it to start %q", h, want)
	}
	if again, _ := HashPassword("correct horse"); again == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if !VerifyPassword(h, "correct horse") {
		t.Error("the password does not verify against its hash")
	}
	for _, wrong := range []string{"", "correct horse ", "Correct horse", "correct hors"} {
		if VerifyPassword(h, wrong) {
			t.Errorf("%q verifies against the hash of another password", wrong)
		}
	}
}

func TestMalformedHashesNeverMatchButCostTheSame(t *testing.T) {
	good := mustHash("pw")
	parts := strings.Split(good, "$")
	for _, encoded := range []string{
		"",
		"pw",
		"$argon2i$" + strings.Join(parts[2:], "$"),
		"$argon2id$v=18$" + strings.Join(parts[3:], "$"),
		"$argon2id$v=19$m=0,t=2,p=1$" + strings.Join(parts[4:], "$"),
		"$argon2id$v=19$m=99999999,t=2,p=1$" + strings.Join(parts[4:], "$"), // would take 95 GiB
		"$argon2id$v=19$m=19456,t=100,p=1$" + strings.Join(parts[4:], "$"),
		strings.Join(parts[:5], "$") + "$",
		strings.Join(parts[:5], "$") + "$!!!",
		"x" + good,
		good + "$extra",
	} {
		start := time.Now()
		if VerifyPassword(encoded, "pw") {
			t.Errorf("%q matched", encoded)
		}
		// A malformed hash is checked against the dummy hash: it takes an
		// argon2id computation, not a few microseconds.
		if elapsed := time.Since(start); elapsed < time.Millisecond {
			t.Errorf("%q was refused in %v: an attacker could time it", encoded, elapsed)
		}
	}
}

// OldHash returns a hash of pw made with the parameters new hashes had
// before (19 MiB, 2 passes), as rows written then hold.
func oldHash(t testing.TB, pw string) string {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 2, 19*1024, 1, keyLen)
	return fmt.Sprintf("$argon2id$v=19$m=19456,t=2,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// A hash made with other parameters still verifies, and a password that
// matches it gets a new hash with today's; one with today's stays.
func TestUpgradeReplacesHashesWithOtherParameters(t *testing.T) {
	old := oldHash(t, "correct horse")
	if !VerifyPassword(old, "correct horse") {
		t.Fatal("a hash with the former parameters does not verify")
	}
	h, ok := Upgrade(old, "correct horse")
	if !ok || !strings.HasPrefix(h, fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", ArgonMemoryKiB, ArgonTime, ArgonThreads)) {
		t.Fatalf("Upgrade(old) = %q, %v: want a hash with today's parameters", h, ok)
	}
	if !VerifyPassword(h, "correct horse") || VerifyPassword(h, "correct hors") {
		t.Error("the new hash does not verify the password alone")
	}
	if again, ok := Upgrade(h, "correct horse"); ok {
		t.Errorf("Upgrade(new) = %q: a hash with today's parameters is replaced", again)
	}
	for _, encoded := range []string{"", "not a hash", strings.Replace(old, "m=19456", "m=0", 1)} {
		if h, ok := Upgrade(encoded, "correct horse"); ok {
			t.Errorf("Upgrade(%q) = %q: a malformed hash is replaced", encoded, h)
		}
	}
}

func TestTokensAreStoredAsTheirSHA256(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) != 43 {
		t.Errorf("tokens %q and %q: want two different 256-bit tokens", a, b)
	}
	sum := sha256.Sum256([]byte(a))
	if got := HashToken(a); got != hex.EncodeToString(sum[:]) {
		t.Errorf("HashToken = %s, want the hex SHA-256", got)
	}
	if !Equal("1234", "1234") || Equal("1234", "1235") || Equal("1234", "12345") || Equal("", "0") {
		t.Error("Equal compares wrongly")
	}
}

// BenchmarkHashPassword measures one argon2id hash with the parameters
// new passwords get, the cost of every password sign-in and check-in
// (SECURITY.md): go test -run '^$' -bench HashPassword -benchmem ./secret
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
