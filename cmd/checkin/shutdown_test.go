package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
// sends SIGTERM while a request's body is still arriving: the request must
// still be answered, and the process then exit 0.
func TestSIGTERMLetsARequestInFlightFinish(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin, addr := buildBinary(t), freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", filepath.Join(t.TempDir(), "checkin.db"))
	cmd.Env = append(os.Environ(), "CHECKIN_ADMIN_EMAIL=boss@example.com", "CHECKIN_ADMIN_PASSWORD=boss-password")
	stderr := newWatchedOutput()
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	quit := make(chan struct{})
	go func() { exited <- cmd.Wait(); close(quit) }()
	t.Cleanup(func() { cmd.Process.Kill() })
	if !stderr.waitFor("listening", quit) {
		t.Fatalf("the binary did not start:\n%s", stderr)
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := "grant_type=password&username=boss@example.com&password=boss-password"
	half := len(body) / 2
	fmt.Fprintf(conn, "POST /api/token HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:half])

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if !stderr.waitFor("shutting down", quit) {
		t.Fatalf("no shutdown after SIGTERM:\n%s", stderr)
	}
	if _, err := io.WriteString(conn, body[half:]); err != nil {
		t.Fatalf("finish the request body: %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(time.Minute))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v\n%s", err, stderr)
	}
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"access_token"`) {
		t.Errorf("the request in flight: %d %s, want 200 with a token", resp.StatusCode, answer)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v, want 0\n%s", err, stderr)
		}
	case <-time.After(time.Minute):
		t.Fatalf("the process did not exit after SIGTERM:\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "stopped") {
		t.Errorf("no 'stopped' in the logs:\n%s", stderr)
	}
}
