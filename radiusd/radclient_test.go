package radiusd_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// radclient runs FreeRADIUS's radclient (Debian's freeradius-utils, which
// .ci/run installs) with the attributes given, and returns what it printed
// and whether it got an answer.
func radclient(t *testing.T, addr, kind, attrs string) (string, bool) {
	t.Helper()
	path, err := exec.LookPath("radclient")
	if err != nil {
		if os.Getenv("CHECKIN_REQUIRE_RADCLIENT") != "" {
			t.Fatal("radclient is not installed: apt-get install -y freeradius-utils")
		}
		t.Skip("radclient is not installed: apt-get install -y freeradius-utils")
	}
	cmd := exec.Command(path, "-x", "-r", "1", "-t", "2", addr, kind, secret)
	cmd.Stdin = strings.NewReader(attrs + "\n")
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func TestWithRadclient(t *testing.T) {
	eachFixture(t, func(t *testing.T, f *fixture) {
		tok := checkin.AccessTokens.New()
		tok.BusinessID, tok.AccessCode, tok.MinutesIncluded = f.loc.ID, "GUEST-42", 30
		storetest.Must(f.db.AccessTokens().Create(f.ctx, tok))
		f.clock.Set(time.Date(2026, 6, 16, 10, 0, 0, 0, time.UTC))
		tests := []struct {
			name, addr, kind, attrs string
			want                    []string // lines the output must hold; nil: no answer
		}{
			{"MAC auth, PAP", f.auth, "auth", `User-Name = "aabbccddee01", User-Password = "aabbccddee01", Calling-Station-Id = "AA-BB-CC-DD-EE-01", Message-Authenticator = 0x00`,
				[]string{"Received Access-Accept", "Session-Timeout = 46800", "Acct-Interim-Interval = 600", `WISPr-Session-Terminate-Time = "2026-06-17T00:00:00+01:00"`, "Class = 0x636865636b696e3a6d3a"}},
			{"MAC auth, CHAP", f.auth, "auth", `User-Name = "AA-BB-CC-DD-EE-02", CHAP-Password = "AA-BB-CC-DD-EE-02", Calling-Station-Id = "AA-BB-CC-DD-EE-02", Message-Authenticator = 0x00`,
				[]string{"Received Access-Accept"}},
			{"MAC auth, CHAP with a wrong password", f.auth, "auth", `User-Name = "AA-BB-CC-DD-EE-02", CHAP-Password = "nope", Calling-Station-Id = "AA-BB-CC-DD-EE-02", Message-Authenticator = 0x00`,
				[]string{"Received Access-Reject", `Reply-Message = "Invalid username or password"`}},
			{"member credentials, PAP", f.auth, "auth", `User-Name = "jane@example.com", User-Password = "jane-password", Calling-Station-Id = "AA-BB-CC-DD-EE-05", Message-Authenticator = 0x00`,
				[]string{"Received Access-Accept"}},
			{"Wi-Fi code", f.auth, "auth", `User-Name = "GUEST-42", User-Password = "GUEST-42", Calling-Station-Id = "AA-BB-CC-DD-EE-99", Message-Authenticator = 0x00`,
				[]string{"Received Access-Accept", "Session-Timeout = 1800"}},
			{"unknown code", f.auth, "auth", `User-Name = "NOPE", Calling-Station-Id = "AA-BB-CC-DD-EE-98", Message-Authenticator = 0x00`,
				[]string{"Received Access-Reject", `Reply-Message = "Access token is not valid."`}},
			{"no Message-Authenticator: dropped", f.auth, "auth", `User-Name = "aabbccddee01", Calling-Station-Id = "AA-BB-CC-DD-EE-01"`, nil},
			{"Status-Server, authentication port", f.auth, "status", `Message-Authenticator = 0x00`, []string{"Received Access-Accept"}},
			{"Status-Server, accounting port", f.acct, "status", `Message-Authenticator = 0x00`, []string{"Received Accounting-Response"}},
			{"accounting Start", f.acct, "acct", `Acct-Status-Type = Start, Acct-Session-Id = "r1", Calling-Station-Id = "AA-BB-CC-DD-EE-01", User-Name = "aabbccddee01"`,
				[]string{"Received Accounting-Response"}},
			{"accounting Stop", f.acct, "acct", `Acct-Status-Type = Stop, Acct-Session-Id = "r1", Calling-Station-Id = "AA-BB-CC-DD-EE-01", User-Name = "aabbccddee01", Acct-Session-Time = 60`,
				[]string{"Received Accounting-Response"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, answered := radclient(t, tt.addr, tt.kind, tt.attrs)
				if tt.want == nil {
					if answered || strings.Contains(out, "Received") {
						t.Fatalf("answered:\n%s", out)
					}
					return
				}
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("radclient's output lacks %q:\n%s", w, out)
					}
				}
			})
		}
		if f.janeIn() {
			t.Error("Jane still checked in after the Stop of her only accounting session")
		}
	})
}
