package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// TestSIGKILLLosesNoAnsweredCheckin kills "checkin serve" with SIGKILL
// under a steady load of check-ins, twice, and restarts it on the same
// database: every check-in answered as successful is stored, nothing is
// stored twice, the SQLite file passes its integrity check, and the
// restarted server serves.
func TestSIGKILLLosesNoAnsweredCheckin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			dsn, addr := storetest.DSN(t, dialect), freeAddr(t)
			pincodes := seedMembers(t, dsn, 16)
			load := apitest.NewToggles("http://"+addr, "acme.localhost")
			for range 2 {
				p := startProcess(t, bin, "serve", "--addr", addr, "--db", dsn)
				stop := runLoad(load, pincodes)
				waitDecided(t, load, 100)
				p.kill(t)
				stop()
				wantIntact(t, dsn)
				load.Check(t, storetest.SQL(t, dsn))
			}
			decided, undecided := load.Answers().Count()
			t.Logf("%d requests decided, %d cut short by the kills", decided, undecided)

			p := startProcess(t, bin, "serve", "--addr", addr, "--db", dsn)
			if status := get(t, "http://"+addr+"/readyz"); status != http.StatusOK {
				t.Fatalf("/readyz after the restart = %d, want 200", status)
			}
			stop := runLoad(load, pincodes)
			waitDecided(t, load, 20)
			stop()
			if code := p.terminate(t); code != 0 {
				t.Errorf("exit after SIGTERM = %d, want 0\n%s", code, p.stderr)
			}
			load.Check(t, storetest.SQL(t, dsn))
		})
	}
}

// seedMembers creates the location acme and n members with pincodes, and
// returns the pincodes. The daily cut-off is set twelve hours away, so
// that no automatic check-out comes into the test.
func seedMembers(t *testing.T, dsn string, n int) []string {
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
	cutoff := fmt.Sprint((now.Hour()+12)%24*60 + now.Minute())
	storetest.Must(db.BusinessSettings().Create(ctx, &checkin.BusinessSetting{BusinessID: loc, Name: checkin.SettingDailyCutOffTime, Value: cutoff}))
	pincodes := make([]string, n)
	for i := range pincodes {
		pincodes[i] = fmt.Sprintf("%04d", 3000+i)
		c := checkin.Coworkers.New()
		c.BusinessID, c.FullName, c.Email, c.AccessPincode = loc, fmt.Sprintf("Member %d", i), fmt.Sprintf("m%d@example.com", i), pincodes[i]
		storetest.Must(db.Coworkers().Create(ctx, c))
	}
	return pincodes
}

// runLoad toggles the members from eight workers until the returned
// function is called.
func runLoad(load *apitest.Toggles, pincodes []string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { load.Run(ctx, 8, pincodes); close(done) }()
	return func() { cancel(); <-done }
}

// waitDecided waits until n more requests of the load have been decided.
func waitDecided(t *testing.T, load *apitest.Toggles, n int) {
	t.Helper()
	before, _ := load.Answers().Count()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
		decided, undecided := load.Answers().Count()
		if decided >= before+n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the load: %d decided, %d undecided; waited for %d more decided", decided, undecided, n)
		}
	}
}

// wantIntact checks that a SQLite file that a killed process was writing
// opens and passes its integrity and foreign key checks.
func wantIntact(t *testing.T, dsn string) {
	t.Helper()
	if sqlstore.IsPostgres(dsn) {
		return
	}
	db := storetest.SQL(t, dsn)
	var result string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check = %q (%v), want ok", result, err)
	}
	if rows, err := db.Query("PRAGMA foreign_key_check"); err != nil || rows.Next() {
		t.Errorf("PRAGMA foreign_key_check found a broken reference (%v)", err)
	} else {
		rows.Close()
	}
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// process is the binary running as a process of its own.
type process struct {
	cmd    *exec.Cmd
	stderr *watchedOutput
	exited chan struct{}
}

// startProcess runs the binary with args and waits until it listens; it
// is killed when the test ends, if it still runs.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), stderr: newWatchedOutput(), exited: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = io.Discard, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.exited })
	if !p.stderr.waitFor("listening", p.exited) {
		t.Fatalf("checkin %v did not start:\n%s", args, p.stderr)
	}
	return p
}

// kill sends SIGKILL and waits until the process is gone.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.exited
}

// terminate sends SIGTERM and returns the exit code.
func (p *process) terminate(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		t.Fatalf("no exit a minute after SIGTERM:\n%s", p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}
