package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds cmd/checkin into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "checkin")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestSIGTERMLetsARequestInFlightFinish builds the binary, starts it, and
// sends SIGTERM while a request's handler waits for its body: the request
// must still be answered, and the process then exit 0.
func TestSIGTERMLetsARequestInFlightFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, addr := buildBinary(t), freeAddr(t)
	t.Setenv("CHECKIN_ADMIN_EMAIL", "boss@example.com")
	t.Setenv("CHECKIN_ADMIN_PASSWORD", "boss-password")
	p := startProcess(t, bin, "serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "checkin.db"))
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute))
	// With Expect: 100-continue the server says "100 Continue" when the
	// handler starts reading the body: from then on the request is in flight.
	body := "grant_type=password&username=boss@example.com&password=boss-password"
	fmt.Fprintf(conn, "POST /api/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", addr, len(body))
	answers := bufio.NewReader(conn)
	if status, err := answers.ReadString('\n'); err != nil || !strings.Contains(status, "100 Continue") {
		t.Fatalf("before the body: %q, %v; want 100 Continue", status, err)
	}
	answers.ReadString('\n') // the blank line that ends the interim answer

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !p.stderr.waitFor("shutting down", p.exited) {
		t.Fatalf("no shutdown after SIGTERM:\n%s", p.stderr)
	}
	if _, err := io.WriteString(conn, body); err != nil {
		t.Fatalf("send the request body: %v", err)
	}
	resp, err := http.ReadResponse(answers, nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v\n%s", err, p.stderr)
	}
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"access_token"`) {
		t.Errorf("the request in flight: %d %s, want 200 with a token", resp.StatusCode, answer)
	}
	select {
	case <-p.exited:
		if code := p.cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(p.stderr.String(), "stopped") {
			t.Errorf("exit code %d, want 0 after 'stopped'\n%s", code, p.stderr)
		}
	case <-time.After(time.Minute):
		t.Fatalf("the process did not exit after SIGTERM:\n%s", p.stderr)
	}
}
