package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
)

// freeUDPAddr returns a loopback UDP address that was free a moment ago.
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().String()
}

// TestServeAnswersRADIUSAndStopsOnSIGTERM runs the binary with both RADIUS
// listeners: radclient's Status-Server is answered on each, and SIGTERM
// stops the process cleanly.
func TestServeAnswersRADIUSAndStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	radclient, err := exec.LookPath("radclient")
	if err != nil {
		if os.Getenv("CHECKIN_REQUIRE_RADCLIENT") != "" {
			t.Fatal("radclient is not installed: apt-get install -y freeradius-utils")
		}
		t.Skip("radclient is not installed: apt-get install -y freeradius-utils")
	}
	dbPath := filepath.Join(t.TempDir(), "checkin.db")
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbPath, checkin.SystemClock{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := checkin.Businesses.New()
	b.Name, b.WebAddress = "Acme", "acme"
	loc, err := db.Businesses().Create(ctx, b)
	if err == nil {
		c := checkin.RadiusClients.New()
		c.BusinessID, c.Name, c.Address, c.Secret = loc, "AP", "127.0.0.1", "serve-secret"
		_, err = db.RadiusClients().Create(ctx, c)
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	auth, acct := freeUDPAddr(t), freeUDPAddr(t)
	p := startProcess(t, buildBinary(t), "serve", "--addr", freeAddr(t), "--db", dbPath, "--radius-auth-addr", auth, "--radius-acct-addr", acct)
	for addr, want := range map[string]string{auth: "Received Access-Accept", acct: "Received Accounting-Response"} {
		cmd := exec.Command(radclient, "-r", "2", "-t", "2", addr, "status", "serve-secret")
		cmd.Stdin = strings.NewReader("Message-Authenticator = 0x00\n")
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), want) {
			t.Errorf("Status-Server to %s: %s, want %s\n%s", addr, out, want, p.stderr)
		}
	}
	if code := p.terminate(t); code != 0 || !strings.Contains(p.stderr.String(), "stopped") {
		t.Errorf("exit code %d after SIGTERM, want 0 after 'stopped'\n%s", code, p.stderr)
	}
}

// TestServeOpensNoUDPSocketByDefault runs the binary without the RADIUS
// flags and variables: it must own no UDP socket. With --radius-auth-addr
// it owns one, so that the count is known to see them.
func TestServeOpensNoUDPSocketByDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("counts sockets in /proc, which this system has not")
	}
	t.Setenv("CHECKIN_RADIUS_AUTH_ADDR", "")
	t.Setenv("CHECKIN_RADIUS_ACCT_ADDR", "")
	bin := buildBinary(t)
	for _, tc := range []struct {
		name  string
		flags []string
		want  int
	}{
		{"default", nil, 0},
		{"--radius-auth-addr", []string{"--radius-auth-addr", freeUDPAddr(t)}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", freeAddr(t), "--db", filepath.Join(t.TempDir(), "checkin.db")}, tc.flags...)
			p := startProcess(t, bin, args...)
			if got := udpSockets(t, p.cmd.Process.Pid); got != tc.want {
				t.Errorf("checkin %s owns %d UDP sockets, want %d\n%s", strings.Join(args, " "), got, tc.want, p.stderr)
			}
			if code := p.terminate(t); code != 0 {
				t.Errorf("exit code %d after SIGTERM, want 0\n%s", code, p.stderr)
			}
		})
	}
}

// udpSockets counts the UDP sockets (IPv4 and IPv6) process pid holds
// open: its descriptors' socket inodes found in /proc/net/udp and udp6.
func udpSockets(t *testing.T, pid int) int {
	t.Helper()
	udp := map[string]bool{}
	for _, table := range []string{"udp", "udp6"} {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "net", table))
		if err != nil {
			continue // no IPv6
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			if f := strings.Fields(line); len(f) > 9 {
				udp[f[9]] = true // the inode column
			}
		}
	}
	fds, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "fd", fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok && udp[strings.TrimSuffix(inode, "]")] {
			n++
		}
	}
	return n
}
