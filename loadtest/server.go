package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"time"
)

// Process is a server the tool started: the check-in service or the
// ceiling's plain handler.
type Process struct {
	Addr   string // host:port it listens on
	PID    int
	cmd    *exec.Cmd
	exited chan struct{}
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// StartProcess runs bin with args (which must make it listen on addr), its
// output to log, and waits until GET readyPath on addr answers 200.
func StartProcess(ctx context.Context, addr, readyPath string, log io.Writer, bin string, args ...string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{Addr: addr, PID: cmd.Process.Pid, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	if err := p.waitReady(ctx, readyPath, 60*time.Second); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s did not become ready: %w", bin, err)
	}
	return p, nil
}

// waitReady polls the process's readiness path until it answers 200.
func (p *Process) waitReady(ctx context.Context, path string, limit time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(limit)
	for {
		resp, err := client.Get("http://" + p.Addr + path)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return errors.New("it exited (see its log)")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer 200 from %s within %s", path, limit)
		}
	}
}

// Stop asks the process to finish (SIGTERM) and kills it if it has not
// within 30 seconds.
func (p *Process) Stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}
