package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The group commit of SQLite writes (writer.go).

func openSQLiteForTest(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.write(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec("CREATE TABLE w (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func insertW(v string) func(tx *Tx) error {
	return func(tx *Tx) error {
		_, err := tx.Exec("INSERT INTO w (v) VALUES (?)", v)
		return err
	}
}

func countW(t *testing.T, db *DB, v string) int {
	t.Helper()
	var n int
	if err := db.read(context.Background(), func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM w WHERE v LIKE ?", v).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// holdWriter blocks the writer in a write until release is closed, and
// returns once it is blocked, so that the writes sent meanwhile queue.
func holdWriter(t *testing.T, db *DB) (release func(), done <-chan error) {
	t.Helper()
	blocked, unblock, result := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		result <- db.write(context.Background(), func(tx *Tx) error {
			close(blocked)
			<-unblock
			_, err := tx.Exec("INSERT INTO w (v) VALUES ('holder') ON CONFLICT DO NOTHING") // again for each hold
			return err
		})
	}()
	<-blocked
	return sync.OnceFunc(func() { close(unblock) }), result
}

// waitQueued waits until n writes wait in the writer's queue.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); len(db.writer.jobs) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", len(db.writer.jobs), n)
		}
	}
}

func TestGroupCommit(t *testing.T) {
	db := openSQLiteForTest(t)
	release, held := holdWriter(t, db)
	const n = 100
	errs := make(chan error, n)
	for i := range n {
		v := "row-" + strings.Repeat("x", i)
		go func() {
			err := db.write(context.Background(), insertW(v))
			if err == nil && countW(t, db, v) != 1 { // answered only once it is committed
				err = errors.New(v + " answered before its commit")
			}
			errs <- err
		}()
	}
	waitQueued(t, db, n)
	before := db.writer.commits.Load()
	release()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := countW(t, db, "row-%"); got != n {
		t.Errorf("%d rows stored, want %d", got, n)
	}
	if commits := db.writer.commits.Load() - before; commits > 2 {
		t.Errorf("%d writes queued together took %d commits, want at most 2 (the holder's batch and one more)", n, commits)
	}
}

// TestGroupCommitFailureStaysAlone: a write that fails in a batch is rolled
// back alone; the others of its batch are stored.
func TestGroupCommitFailureStaysAlone(t *testing.T) {
	db := openSQLiteForTest(t)
	if err := db.write(context.Background(), insertW("taken")); err != nil {
		t.Fatal(err)
	}
	release, held := holdWriter(t, db)
	writes := map[string]func(tx *Tx) error{
		"before": insertW("before"),
		"half": func(tx *Tx) error { // writes, then fails on a unique violation
			if err := insertW("half")(tx); err != nil {
				return err
			}
			return insertW("taken")(tx)
		},
		"fails": func(tx *Tx) error {
			if err := insertW("fails")(tx); err != nil {
				return err
			}
			return errors.New("the caller's own error")
		},
		"after": insertW("after"),
	}
	results := make(map[string]chan error)
	for name, fn := range writes {
		result := make(chan error, 1)
		results[name] = result
		go func() { result <- db.write(context.Background(), fn) }()
	}
	waitQueued(t, db, len(writes))
	release()
	<-held
	for name, wantErr := range map[string]bool{"before": false, "half": true, "fails": true, "after": false} {
		err := <-results[name]
		if (err != nil) != wantErr {
			t.Errorf("%s: err = %v, want an error: %v", name, err, wantErr)
		}
		if got, want := countW(t, db, name), map[bool]int{false: 1, true: 0}[wantErr]; got != want {
			t.Errorf("%s: %d rows stored, want %d", name, got, want)
		}
	}
}

// TestGroupCommitAbandoned: a write whose context ends while it waits in the
// queue is never run, and says so.
func TestGroupCommitAbandoned(t *testing.T) {
	db := openSQLiteForTest(t)
	release, held := holdWriter(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() { result <- db.write(ctx, insertW("abandoned")) }()
	waitQueued(t, db, 1)
	cancel()
	if err := <-result; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	release()
	<-held
	if err := db.write(context.Background(), insertW("next")); err != nil {
		t.Fatal(err)
	}
	if n := countW(t, db, "abandoned"); n != 0 {
		t.Errorf("the abandoned write was stored (%d rows)", n)
	}
}

// TestGroupCommitPanic: a write that panics panics in its caller's
// goroutine, and the rest of its batch is stored.
func TestGroupCommitPanic(t *testing.T) {
	db := openSQLiteForTest(t)
	release, held := holdWriter(t, db)
	panicked, other := make(chan any, 1), make(chan error, 1)
	go func() {
		defer func() { panicked <- recover() }()
		db.write(context.Background(), func(tx *Tx) error {
			insertW("panics")(tx)
			panic("boom")
		})
	}()
	go func() { other <- db.write(context.Background(), insertW("other")) }()
	waitQueued(t, db, 2)
	release()
	<-held
	if p := <-panicked; p != "boom" {
		t.Errorf("recovered %v, want boom", p)
	}
	if err := <-other; err != nil {
		t.Fatal(err)
	}
	if countW(t, db, "panics") != 0 || countW(t, db, "other") != 1 {
		t.Errorf("panics: %d rows, other: %d; want 0 and 1", countW(t, db, "panics"), countW(t, db, "other"))
	}
}

// TestWriteAfterClose: writes and reads after Close fail as unavailable,
// and closing twice is harmless.
func TestWriteAfterClose(t *testing.T) {
	db := openSQLiteForTest(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.write(context.Background(), insertW("late")); !errors.Is(err, ErrUnavailable) {
		t.Errorf("write after Close: %v, want ErrUnavailable", err)
	}
	if err := db.read(context.Background(), func(tx *Tx) error { return nil }); !errors.Is(err, ErrUnavailable) {
		t.Errorf("read after Close: %v, want ErrUnavailable", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestNestedWritePanics: a write started inside another would wait for
// itself forever; it is caught.
func TestNestedWritePanics(t *testing.T) {
	db := openSQLiteForTest(t)
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "inside another write") {
			t.Errorf("recovered %v, want the nested-write panic", p)
		}
	}()
	db.write(context.Background(), func(tx *Tx) error {
		return db.write(tx.Context(), insertW("nested"))
	})
}

// TestGroupCommitLostTransaction: when SQLite rolls a batch's whole
// transaction back under a write (as on a full disk; here the write does
// it itself), no write of the batch is answered as stored.
func TestGroupCommitLostTransaction(t *testing.T) {
	db := openSQLiteForTest(t)
	release, held := holdWriter(t, db)
	results := map[string]chan error{}
	send := func(name string, fn func(tx *Tx) error) {
		result := make(chan error, 1)
		results[name] = result
		go func() { result <- db.write(context.Background(), fn) }()
		waitQueued(t, db, len(results))
	}
	send("before", func(tx *Tx) error { // with an event, which must go with its change
		if err := insertW("before")(tx); err != nil {
			return err
		}
		return tx.appendEvent("TestEvent", 1, map[string]string{"v": "before"})
	})
	send("loses", func(tx *Tx) error {
		_, err := tx.Exec("ROLLBACK")
		return err
	})
	send("after", insertW("after"))
	release()
	if err := <-held; err != nil { // the holder's batch is the one before
		t.Fatal(err)
	}
	for _, name := range []string{"before", "loses", "after"} {
		if err := <-results[name]; err == nil {
			t.Errorf("%s: answered as stored", name)
		}
		if n := countW(t, db, name); n != 0 {
			t.Errorf("%s: %d rows stored", name, n)
		}
	}
	if err := db.write(context.Background(), insertW("next")); err != nil {
		t.Fatalf("the next write: %v", err)
	}
	var events int
	if err := db.read(context.Background(), func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM events").Scan(&events)
	}); err != nil {
		t.Fatal(err)
	}
	if events != 0 {
		t.Errorf("%d events stored of a lost batch, or with a later one", events)
	}
}

// TestGroupCommitRunningIsWaitedFor: a write whose context ends while it
// runs is waited for, and answered as what it is: stored.
func TestGroupCommitRunningIsWaitedFor(t *testing.T) {
	db := openSQLiteForTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- db.write(ctx, func(tx *Tx) error {
			if err := insertW("running")(tx); err != nil {
				return err
			}
			close(started)
			<-tx.Context().Done()
			time.Sleep(20 * time.Millisecond) // the caller sees its context end first
			return nil
		})
	}()
	<-started
	cancel()
	if err := <-result; err != nil {
		t.Errorf("err = %v, want nil: the write ran and was stored", err)
	}
	if n := countW(t, db, "running"); n != 1 {
		t.Errorf("%d rows stored, want 1", n)
	}
}
