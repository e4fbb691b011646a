package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestDoorBridgeLosesNoOfflineEvent runs "checkin serve" and "checkin
// door-bridge" as processes: the bridge decides online, then offline while
// the server is killed, then uploads its queue once the server is back; it
// is itself killed while its upload is answered (the server has stored the
// events, the bridge has not dropped them), and restarted. Every event is
// stored exactly once.
func TestDoorBridgeLosesNoOfflineEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn, addr := storetest.DSN(t, dialect), freeAddr(t)
			doorID, key := seedDoor(t, dsn)
			server := startProcess(t, bin, "serve", "--addr", addr, "--db", dsn)
			proxy := newHoldingProxy(t, "http://"+addr)
			dir := t.TempDir()

			bridge := startBridge(t, bin, proxy.URL, key, dir)
			bridge.card(t, "A-1")
			bridge.wantWords(t, 1, 0)
			waitFile(t, filepath.Join(dir, "allowlist.json"))

			server.kill(t)
			const n = 10
			for range n {
				bridge.card(t, "A-1")
				bridge.card(t, "Z-9")
			}
			bridge.wantWords(t, 1+n, n)
			if got := queued(t, dir); got != 2*n {
				t.Fatalf("queued events = %d, want %d", got, 2*n)
			}

			proxy.holdNextUpload()
			server = startProcess(t, bin, "serve", "--addr", addr, "--db", dsn)
			proxy.waitHeld(t) // the server has answered the upload: it is stored
			bridge.kill(t)
			proxy.release()
			if got := queued(t, dir); got != 2*n {
				t.Fatalf("queued events after the kill = %d, want all %d still there", got, 2*n)
			}

			bridge = startBridge(t, bin, proxy.URL, key, dir)
			for deadline := time.Now().Add(time.Minute); queued(t, dir) > 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the restarted bridge did not upload its queue:\n%s", bridge.stderr)
				}
			}
			db := storetest.SQL(t, dsn)
			for _, c := range []struct {
				what, query string
				want        int
			}{
				{"door events", "SELECT count(*) FROM door_events WHERE door_id = %d", 2 * n},
				{"FailedCheckins of Z-9", "SELECT count(*) FROM failed_checkins WHERE door_id = %d", n},
				{"check-ins of A-1 (one visit)", "SELECT count(*) FROM checkins WHERE door_id = %d", 1},
			} {
				var got int
				if err := db.QueryRow(fmt.Sprintf(c.query, doorID)).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != c.want {
					t.Errorf("%s = %d, want %d", c.what, got, c.want)
				}
			}
			bridge.stop(t)
			server.terminate(t)
		})
	}
}

// seedDoor creates a location, a member holding card A-1 and a door, and
// returns the door's id and key.
func seedDoor(t *testing.T, dsn string) (int64, string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := checkin.Businesses.New()
	b.Name, b.WebAddress, b.TimeZone = "Acme", "acme", "UTC"
	loc := storetest.Must(db.Businesses().Create(ctx, b))
	now := time.Now().UTC()
	cutoff := fmt.Sprint((now.Hour()+12)%24*60 + now.Minute()) // no cut-off during the test
	storetest.Must(db.BusinessSettings().Create(ctx, &checkin.BusinessSetting{BusinessID: loc, Name: checkin.SettingDailyCutOffTime, Value: cutoff}))
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email, c.AccessCardID = loc, "Ada", "ada@example.com", "A-1"
	storetest.Must(db.Coworkers().Create(ctx, c))
	d := checkin.Doors.New()
	d.BusinessID, d.Name = loc, "Front"
	id := storetest.Must(db.Doors().Create(ctx, d))
	return id, d.Key
}

// bridgeProcess is "checkin door-bridge" with a pipe for its cards.
type bridgeProcess struct {
	process
	stdin  io.WriteCloser
	stdout *watchedOutput
}

func startBridge(t *testing.T, bin, server, key, dir string) *bridgeProcess {
	t.Helper()
	cmd := exec.Command(bin, "door-bridge", "--server", server, "--dir", dir, "--refresh", "100ms", "--timeout", "300ms")
	cmd.Env = append(os.Environ(), "CHECKIN_DOOR_KEY="+key)
	b := &bridgeProcess{process: process{cmd: cmd, stderr: newWatchedOutput(), exited: make(chan struct{})}, stdout: newWatchedOutput()}
	cmd.Stdout, cmd.Stderr = b.stdout, b.stderr
	var err error
	if b.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(b.exited) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-b.exited })
	return b
}

func (b *bridgeProcess) card(t *testing.T, card string) {
	t.Helper()
	before := strings.Count(b.stdout.String(), "\n")
	if _, err := io.WriteString(b.stdin, card+"\n"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); strings.Count(b.stdout.String(), "\n") == before; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no answer to card %s:\n%s", card, b.stderr)
		}
	}
}

// wantWords checks the numbers of OPEN and DENY printed so far.
func (b *bridgeProcess) wantWords(t *testing.T, open, deny int) {
	t.Helper()
	out := b.stdout.String()
	if o, d := strings.Count(out, "OPEN\n"), strings.Count(out, "DENY\n"); o != open || d != deny {
		t.Fatalf("printed %d OPEN and %d DENY, want %d and %d:\n%s\n%s", o, d, open, deny, out, b.stderr)
	}
}

// stop closes the bridge's input: it ends as a reader that is unplugged.
func (b *bridgeProcess) stop(t *testing.T) {
	t.Helper()
	b.stdin.Close()
	select {
	case <-b.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("the bridge did not stop at the end of its input:\n%s", b.stderr)
	}
}

func queued(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "queue.jsonl"))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", path)
		}
	}
}

// holdingProxy passes requests to the server; told to, it holds the
// answer to the next upload of events once the server has given it.
type holdingProxy struct {
	URL      string
	mu       sync.Mutex
	hold     bool
	held     chan struct{}
	released chan struct{}
}

func newHoldingProxy(t *testing.T, server string) *holdingProxy {
	target, _ := url.Parse(server)
	p := &holdingProxy{held: make(chan struct{}), released: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != doors.EventsPath {
			return nil
		}
		p.mu.Lock()
		hold := p.hold
		p.hold = false
		p.mu.Unlock()
		if hold {
			close(p.held)
			<-p.released
			return fmt.Errorf("the answer was held until the bridge was killed")
		}
		return nil
	}
	ts := httptest.NewServer(rp)
	t.Cleanup(ts.Close)
	p.URL = ts.URL
	return p
}

func (p *holdingProxy) holdNextUpload() { p.mu.Lock(); p.hold = true; p.mu.Unlock() }

func (p *holdingProxy) waitHeld(t *testing.T) {
	t.Helper()
	select {
	case <-p.held:
	case <-time.After(time.Minute):
		t.Fatal("the bridge never uploaded its queue to the restarted server")
	}
}

func (p *holdingProxy) release() { close(p.released) }
