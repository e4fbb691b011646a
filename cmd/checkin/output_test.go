package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// watchedOutput collects what a command writes, and lets a test wait for
// a text to appear in it.
type watchedOutput struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed, and replaced, on each write
}

func newWatchedOutput() *watchedOutput { return &watchedOutput{changed: make(chan struct{})} }

func (w *watchedOutput) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	close(w.changed)
	w.changed = make(chan struct{})
	return len(p), nil
}

func (w *watchedOutput) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the output holds text. It reports false when quit is
// closed first, or after a minute.
func (w *watchedOutput) waitFor(text string, quit <-chan struct{}) bool {
	timeout := time.After(time.Minute)
	for {
		w.mu.Lock()
		found, changed := strings.Contains(w.buf.String(), text), w.changed
		w.mu.Unlock()
		if found {
			return true
		}
		select {
		case <-changed:
		case <-quit:
			return strings.Contains(w.String(), text)
		case <-timeout:
			return false
		}
	}
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// served is "checkin serve" running in the test's process.
type served struct {
	url            string
	stdout, stderr *watchedOutput
	exited         chan struct{}
	code           int
	cancel         context.CancelFunc
}

// startServe runs the command line args (a serve command listening on
// addr) until the test ends or stop is called, and waits until it listens.
func startServe(t *testing.T, addr string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{url: "http://" + addr, stdout: newWatchedOutput(), stderr: newWatchedOutput(), exited: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.exited)
		s.code = run(ctx, args, s.stdout, s.stderr)
	}()
	t.Cleanup(func() { s.stop() })
	if !s.stderr.waitFor("listening", s.exited) {
		t.Fatalf("checkin %s did not start:\n%s%s", strings.Join(args, " "), s.stdout, s.stderr)
	}
	return s
}

// stop ends the server as SIGTERM does and returns its exit code.
func (s *served) stop() int {
	s.cancel()
	<-s.exited
	return s.code
}
