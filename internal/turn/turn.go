// Package turn lets one holder per key through at a time, the others
// waiting their turn in order of arrival.
package turn

import (
	"context"
	"errors"
	"sync"
)

// ErrAheadFailed is Enter's answer to those waiting when the holder ahead
// of them gave up for want of a resource (Leave(true)): they would most
// likely fail the same way, one after the other.
var ErrAheadFailed = errors.New("turn: the attempt ahead failed")

// Gate holds a queue per key in use, and none for idle keys. Its zero
// value is ready to use.
type Gate struct {
	mu     sync.Mutex
	queues map[string]*queue
}

type queue struct {
	c       chan struct{} // holds a token while the key is in use
	waiting int
	failed  uint64 // how many holders have left failing
}

// Turn is a key's turn, held until Leave.
type Turn struct {
	g   *Gate
	key string
	q   *queue
}

// Enter waits for the key's turn. It returns ctx's error if ctx ends
// first, and ErrAheadFailed if a holder left failing while it waited;
// either way it holds nothing.
func (g *Gate) Enter(ctx context.Context, key string) (*Turn, error) {
	g.mu.Lock()
	if g.queues == nil {
		g.queues = map[string]*queue{}
	}
	q := g.queues[key]
	if q == nil {
		q = &queue{c: make(chan struct{}, 1)}
		g.queues[key] = q
	}
	q.waiting++
	failed := q.failed
	g.mu.Unlock()
	t := &Turn{g: g, key: key, q: q}
	select {
	case q.c <- struct{}{}:
	case <-ctx.Done():
		t.forget()
		return nil, ctx.Err()
	}
	g.mu.Lock()
	ahead := q.failed != failed
	g.mu.Unlock()
	if ahead {
		<-q.c
		t.forget()
		return nil, ErrAheadFailed
	}
	return t, nil
}

// Leave ends the turn; failed tells those waiting now that it failed for
// want of a resource (see ErrAheadFailed).
func (t *Turn) Leave(failed bool) {
	if failed {
		t.g.mu.Lock()
		t.q.failed++
		t.g.mu.Unlock()
	}
	<-t.q.c
	t.forget()
}

func (t *Turn) forget() {
	t.g.mu.Lock()
	if t.q.waiting--; t.q.waiting == 0 {
		delete(t.g.queues, t.key)
	}
	t.g.mu.Unlock()
}

// Keys reports how many keys are in use or waited for, for tests.
func (g *Gate) Keys() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queues)
}
