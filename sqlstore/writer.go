package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// SQLite takes one writer at a time, and each commit waits for the disk
// (synchronous FULL). So the store's writes on SQLite go to one goroutine
// that runs those waiting together in one transaction, each in a savepoint
// of its own, and commits them at once: group commit. A write fails or
// succeeds alone (its savepoint is rolled back on error), and is answered
// only after the COMMIT that makes it durable.

// maxBatch bounds the writes of one commit, so that the first in a batch
// does not wait long for the last.
const maxBatch = 256

// errClosed answers writes that reach a store being closed.
var errClosed = errors.New("sqlstore: the database is closed")

type jobState = int32

const (
	queued jobState = iota
	running
	abandoned
)

// job is one write waiting for the writer.
type job struct {
	ctx   context.Context
	fn    func(*Tx) error
	state atomic.Int32
	done  chan jobResult // buffered: the writer never waits for the caller
	// refusal, when set, holds the rows fn adds: the writer adds those of
	// all the batch's refusals together, and runs fn only if that fails.
	refusal *refusal
	// start, for PostgreSQL's start batcher, is the first check-in to write.
	start *startJob
}

type jobResult struct {
	err   error
	panic any
}

// queue is where writes wait for the goroutine that runs them in batches:
// SQLite's writer, PostgreSQL's refusal batcher.
type queue struct {
	jobs    chan *job
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

func newQueue() queue {
	return queue{jobs: make(chan *job, maxBatch), quit: make(chan struct{}), stopped: make(chan struct{})}
}

// serve runs n goroutines that each hand run the jobs waiting (each), and
// marks the queue stopped once all have ended.
func (w *queue) serve(n int, run func([]*job)) {
	var running sync.WaitGroup
	for range n {
		running.Go(func() { w.each(run) })
	}
	go func() {
		running.Wait()
		close(w.stopped)
	}()
}

// take marks the jobs of a batch that their callers have not abandoned
// as running, and returns them.
func take(batch []*job) []*job {
	var taken []*job
	for _, j := range batch {
		if j.state.CompareAndSwap(queued, running) {
			taken = append(taken, j)
		}
	}
	return taken
}

// stop closes the queue and waits for its goroutines.
func (w *queue) stop() {
	w.once.Do(func() { close(w.quit) })
	<-w.stopped
}

type writer struct {
	queue
	db      *DB
	conn    *conn
	commits atomic.Int64 // transactions committed, for tests
	// together counts the refusals whose rows were added together with
	// others' (addTogether), for tests.
	together atomic.Int64
	// changes follows the rows each batch changes, for the memo (nil
	// without one).
	changes *changes
}

// inWriter marks the context of a write running in the writer, so that a
// write started from inside another (which would wait for itself) is caught.
type inWriter struct{}

func startWriter(db *DB, c *conn) *writer {
	w := &writer{queue: newQueue(), db: db, conn: c}
	go w.loop()
	return w
}

// do runs fn in the writer and returns once its batch has committed. A
// write whose context ends while it still waits in the queue is dropped and
// answered with the context's error; one already running is waited for, so
// that the answer says truly whether it was stored.
func (w *writer) do(ctx context.Context, fn func(*Tx) error) error {
	return w.submit(&job{ctx: ctx, fn: fn})
}

// submit runs j as do runs its fn.
func (w *queue) submit(j *job) error {
	ctx := j.ctx
	if ctx.Value(inWriter{}) != nil {
		panic("sqlstore: a write started inside another write would wait for itself")
	}
	j.done = make(chan jobResult, 1)
	select {
	case w.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.quit:
		return errClosed
	}
	var r jobResult
	select {
	case r = <-j.done:
	case <-ctx.Done():
		if j.state.CompareAndSwap(queued, abandoned) {
			return ctx.Err()
		}
		r = <-j.done
	case <-w.stopped:
		if j.state.CompareAndSwap(queued, abandoned) {
			return errClosed
		}
		r = <-j.done
	}
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

func (w *writer) loop() {
	defer close(w.stopped)
	w.each(w.commit)
}

// each hands run the jobs waiting, up to maxBatch at a time, until the
// queue is closed.
func (w *queue) each(run func([]*job)) {
	for {
		var first *job
		select {
		case first = <-w.jobs:
		case <-w.quit:
			return
		}
		batch := []*job{first}
	more:
		for len(batch) < maxBatch {
			select {
			case j := <-w.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		run(batch)
	}
}

// commit runs a batch in one transaction and answers each job.
func (w *writer) commit(batch []*job) {
	results := make([]jobResult, len(batch))
	ran := make([]bool, len(batch))
	err := w.conn.begin(true)
	if err == nil {
		err = w.runAll(batch, results, ran)
		if err == nil {
			if w.changes != nil {
				w.changes.readChanged(w.db.newTx(background, w.conn))
				w.changes.committing()
			}
			err = w.conn.end(false)
		} else {
			_ = w.conn.end(true)
		}
		if err == nil {
			w.commits.Add(1)
		}
	}
	if w.changes != nil {
		w.changes.ended(err == nil) // before any answer: a request after one sees what it changed
	}
	for i, j := range batch {
		switch {
		case !ran[i] && err == nil:
			continue
		case !ran[i]:
			if !j.state.CompareAndSwap(queued, running) && j.state.Load() != running {
				continue // abandoned by its caller
			}
			results[i].err = err // nothing of it ran
		case err != nil && results[i].err == nil && results[i].panic == nil:
			results[i].err = err // the COMMIT failed, or the transaction was lost: nothing was stored
		}
		j.done <- results[i]
	}
}

// runAll runs the batch's jobs in its transaction. It returns an error
// when the transaction is lost: SQLite rolled it back (as it does on a full
// disk or an I/O error), so the writes before the failure are gone too,
// and none after it may run in what is left.
func (w *writer) runAll(batch []*job, results []jobResult, ran []bool) error {
	lost := func(err error) error {
		for _, j := range batch {
			j.state.CompareAndSwap(queued, running)
		}
		return err
	}
	if err := w.addTogether(batch, ran); err != nil {
		return lost(err)
	}
	for i, j := range batch {
		if !j.state.CompareAndSwap(queued, running) {
			continue // its caller has gone, or its rows were added together
		}
		ran[i] = true
		var broken bool
		if results[i], broken = w.run(j); broken {
			return lost(results[i].err)
		}
	}
	return nil
}

// addTogether adds the rows of the batch's refusals in one savepoint, and
// marks their jobs ran. If that fails, it rolls the savepoint back and
// leaves the jobs queued, to run one by one like any other, so that a
// refusal whose rows cannot be added (its location just deleted) fails
// alone. It returns an error only when the savepoint broke (inSavepoint):
// the batch's transaction is then no longer what it was.
func (w *writer) addTogether(batch []*job, ran []bool) error {
	refusals := 0
	for _, j := range batch {
		if j.refusal != nil {
			refusals++
		}
	}
	if refusals < 2 {
		return nil // one refusal alone is written as any other write
	}
	var taken []int
	var rs []*refusal
	for i, j := range batch {
		if j.refusal != nil && j.state.CompareAndSwap(queued, running) {
			taken, rs = append(taken, i), append(rs, j.refusal)
		}
	}
	r, broken := w.inSavepoint(background, func(tx *Tx) error { return tx.addRefusals(rs) })
	switch {
	case broken:
		return r.err
	case r.err != nil || r.panic != nil: // run alone, the refusal that fails or panics does so in its own request
		for _, i := range taken {
			batch[i].state.Store(queued)
		}
	default:
		for _, i := range taken {
			ran[i] = true
		}
		w.together.Add(int64(len(taken)))
	}
	return nil
}

// run runs one job in a savepoint of the batch's transaction.
func (w *writer) run(j *job) (r jobResult, broken bool) { return w.inSavepoint(j.ctx, j.fn) }

// inSavepoint runs fn, for a request with context ctx, in a savepoint of
// the batch's transaction, rolled back when fn fails or panics. It reports
// broken when the savepoint could not be set, rolled back or released: the
// batch's transaction is then no longer what it was.
func (w *writer) inSavepoint(ctx context.Context, fn func(*Tx) error) (r jobResult, broken bool) {
	c := w.conn
	if _, err := c.ExecContext(background, "SAVEPOINT job"); err != nil {
		return jobResult{err: err}, true
	}
	tx := w.db.newTx(context.WithValue(ctx, inWriter{}, true), c)
	defer func() {
		if p := recover(); p != nil {
			r = jobResult{panic: p}
		}
		if r.err != nil || r.panic != nil {
			if _, err := c.ExecContext(background, "ROLLBACK TO job"); err != nil {
				r.err, broken = errors.Join(r.err, fmt.Errorf("roll back a failed write: %w", err)), true
				return
			}
		}
		if _, err := c.ExecContext(background, "RELEASE job"); err != nil {
			r.err, broken = errors.Join(r.err, err), true
		}
	}()
	err := fn(tx)
	if err == nil {
		err = tx.flushEvents()
	}
	return jobResult{err: err}, false
}

// close stops the writer once the batch running, if any, is answered; the
// writes still queued are answered errClosed.
func (w *writer) close() error {
	w.stop()
	return w.conn.close()
}
