package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

func TestServeListensWhereTheFlagSaysAndReadsTheVariables(t *testing.T) {
	envAddr, flagAddr := freeAddr(t), freeAddr(t)
	for envAddr == flagAddr {
		flagAddr = freeAddr(t)
	}
	dbPath := filepath.Join(t.TempDir(), "from-env.db")
	t.Setenv("CHECKIN_ADDR", envAddr)
	t.Setenv("CHECKIN_DB", dbPath)
	s := startServe(t, flagAddr, "serve", "--addr", flagAddr)
	c := apitest.NewClient(t, s.url)
	c.Want(c.Do("GET", "/readyz", "", nil), http.StatusOK, "/readyz")
	if conn, err := net.Dial("tcp", envAddr); err == nil {
		conn.Close()
		t.Errorf("the server listens on CHECKIN_ADDR %s too; want only --addr %s", envAddr, flagAddr)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Errorf("CHECKIN_DB: %v", err)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("exit code %d, want 0:\n%s", code, s.stderr)
	}
}

func TestServeCreatesTheAdministratorOfTheVariables(t *testing.T) {
	db := filepath.Join(t.TempDir(), "checkin.db")
	t.Setenv("CHECKIN_ADMIN_EMAIL", "Boss@Example.com")
	t.Setenv("CHECKIN_ADMIN_PASSWORD", "boss-password")
	addr := freeAddr(t)
	s := startServe(t, addr, "serve", "--addr", addr, "--db", db)
	c := apitest.NewClient(t, s.url)
	token := c.SignIn("boss@example.com", "boss-password").AccessToken
	users := c.Get(token, "/api/sys/users")
	if users["TotalItems"] != json.Number("1") {
		t.Errorf("users = %v, want the administrator only", users)
	}
	for _, path := range []string{"/api/sys/businesses", "/api/spaces/failedcheckins"} {
		c.Want(c.Do("GET", path, token, nil), http.StatusOK, "an administrator lists "+path)
	}
	s.stop()

	t.Setenv("CHECKIN_ADMIN_PASSWORD", "another-password") // the user exists: nothing changes
	s = startServe(t, addr, "serve", "--addr", addr, "--db", db)
	c.SignIn("boss@example.com", "boss-password")
	form := "grant_type=password&username=boss@example.com&password=another-password"
	if r := c.Do("POST", "/api/token", "", form, "Content-Type: application/x-www-form-urlencoded"); r.Status != http.StatusBadRequest {
		t.Errorf("the second password: got %s, want 400", r)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestServeDemoSeedsOnceAndPrintsTheGuide(t *testing.T) {
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			db := storetest.DSN(t, dialect)
			addr := freeAddr(t)
			s := startServe(t, addr, "serve", "--demo", "--addr", addr, "--db", db)
			for _, want := range []string{"Seeded a demo location", "Administrator: admin@demo.example / checkin-demo", "curl -s http://" + addr + "/api/token"} {
				if !strings.Contains(s.stdout.String(), want) {
					t.Errorf("the guide does not say %q:\n%s", want, s.stdout)
				}
			}
			want := demoCounts(t, s.url)
			if want["/api/spaces/coworkers"] != 3 || want["/api/sys/businesses"] != 1 || want["/api/sys/users"] != 4 {
				t.Errorf("demo records = %v, want 1 location, 3 members and 4 users", want)
			}
			s.stop()

			s = startServe(t, addr, "serve", "--demo", "--addr", addr, "--db", db)
			if !strings.Contains(s.stdout.String(), "not seeded again") || !strings.Contains(s.stdout.String(), "admin@demo.example") {
				t.Errorf("the second start says:\n%s", s.stdout)
			}
			if got := demoCounts(t, s.url); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after a second start: %v, want %v", got, want)
			}
		})
	}
}

// demoCounts signs in as the demo's administrator and counts the records of
// each kind.
func demoCounts(t *testing.T, url string) map[string]int64 {
	t.Helper()
	c := apitest.NewClient(t, url)
	token := c.SignIn(demoAdminEmail, demoAdminPassword).AccessToken
	counts := map[string]int64{}
	for _, path := range []string{"/api/sys/businesses", "/api/sys/users", "/api/spaces/coworkers", "/api/spaces/teams",
		"/api/billing/tariffs", "/api/spaces/accesstokens"} {
		counts[path] = apitest.Int(t, c.Get(token, path)["TotalItems"])
	}
	return counts
}

func TestServeLogFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{"", []string{"level=INFO msg=listening", `msg=request method=GET path=/healthz route="GET /healthz" status=200`}},
		{"json", []string{`"msg":"listening"`, `"msg":"request","method":"GET","path":"/healthz","route":"GET /healthz","status":200`}},
	} {
		t.Run("format "+tc.format, func(t *testing.T) {
			addr := freeAddr(t)
			args := []string{"serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "c.db")}
			if tc.format != "" {
				args = append(args, "--log-format", tc.format)
			}
			s := startServe(t, addr, args...)
			c := apitest.NewClient(t, s.url)
			c.Want(c.Do("GET", "/healthz", "", nil), http.StatusOK, "/healthz")
			s.stop()
			logs := s.stderr.String()
			for _, want := range tc.want {
				if !strings.Contains(logs, want) {
					t.Errorf("the logs do not hold %s:\n%s", want, logs)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
				if tc.format == "json" && !json.Valid([]byte(line)) {
					t.Errorf("not a JSON line: %s", line)
				}
			}
		})
	}
}
