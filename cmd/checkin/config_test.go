package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// contractFlags are the settings of API.md's table: each flag, its
// variable, its default, and where the parsed configuration keeps it.
var contractFlags = []struct {
	flag, env, def string
	value          func(*config) string
}{
	{"addr", "CHECKIN_ADDR", "127.0.0.1:8080", func(c *config) string { return c.addr }},
	{"db", "CHECKIN_DB", "checkin.db", func(c *config) string { return c.db }},
	{"base-domain", "CHECKIN_BASE_DOMAIN", "localhost", func(c *config) string { return c.baseDomain }},
	{"default-location", "CHECKIN_DEFAULT_LOCATION", "", func(c *config) string { return c.defaultLocation }},
	{"trusted-devices", "CHECKIN_TRUSTED_DEVICES", "", func(c *config) string { return c.trustedDevices }},
	{"trusted-proxies", "CHECKIN_TRUSTED_PROXIES", "", func(c *config) string { return c.trustedProxies }},
	{"log-format", "CHECKIN_LOG_FORMAT", "text", func(c *config) string { return c.logFormat }},
	{"cors-origins", "CHECKIN_CORS_ORIGINS", "", func(c *config) string { return c.corsOrigins }}, // an addition to API.md
}

// parseServeFlags parses serve's flags as runServe does.
func parseServeFlags(t *testing.T, args ...string) config {
	t.Helper()
	var cfg config
	fs := newFlagSet("serve", io.Discard)
	cfg.flags(fs)
	if err := parse(fs, args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return cfg
}

func TestServeFlagsAndTheirVariables(t *testing.T) {
	for _, f := range contractFlags {
		t.Run(f.flag, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				env  *string
				args []string
				want string
			}{
				{"default", nil, nil, f.def},
				{"variable", ptr("from-env"), nil, "from-env"},
				{"flag", nil, []string{"--" + f.flag, "from-flag"}, "from-flag"},
				{"flag wins over variable", ptr("from-env"), []string{"--" + f.flag + "=from-flag"}, "from-flag"},
				{"empty variable", ptr(""), nil, f.def},
			} {
				unsetenv(t, f.env)
				if tc.env != nil {
					t.Setenv(f.env, *tc.env)
				}
				cfg := parseServeFlags(t, tc.args...)
				if got := f.value(&cfg); got != tc.want {
					t.Errorf("%s: %s = %q, want %q", tc.name, f.flag, got, tc.want)
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

// unsetenv unsets a variable until the test ends.
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "")
	os.Unsetenv(name)
}

func TestTrustedNetworks(t *testing.T) {
	cfg := parseServeFlags(t, "--trusted-devices", "192.0.2.10, 10.1.0.0/16 ,fd00::1", "--trusted-proxies", "10.0.0.0/8,::ffff:10.9.9.9")
	if err := cfg.parseNetworks(); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cfg.devices, cfg.proxies); got != "[192.0.2.10/32 10.1.0.0/16 fd00::1/128] [10.0.0.0/8 10.9.9.9/32]" {
		t.Errorf("parsed %s", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.1/8/8"} {
		cfg := parseServeFlags(t, "--trusted-proxies", bad)
		if err := cfg.parseNetworks(); err == nil || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), bad) {
			t.Errorf("--trusted-proxies %s: error %v, want one naming the flag and the value", bad, err)
		}
	}
	var stderr strings.Builder
	err := runServe(context.Background(), []string{"--trusted-devices", "kiosk", "--db", filepath.Join(t.TempDir(), "x.db")}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), `--trusted-devices: "kiosk"`) {
		t.Errorf("serve with a bad --trusted-devices: %v, want an error naming it", err)
	}
}
