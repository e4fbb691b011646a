package throttle

import (
	"context"
	"sync"
)

// gate lets one attempt per key through at a time, the others waiting
// their turn: a burst sent at once is then checked one attempt after the
// other, each seeing the failures of those before it, instead of all
// passing the check before any failure is counted. It holds a channel per
// key in use, and none for idle keys.
type gate struct {
	mu    sync.Mutex
	turns map[string]*turn
}

type turn struct {
	c       chan struct{} // holds a token while the key is in use
	waiting int
}

// enter waits for the key's turn; the function it returns ends it. It
// reports false, holding nothing, if ctx ends first.
func (g *gate) enter(ctx context.Context, key string) (func(), bool) {
	g.mu.Lock()
	if g.turns == nil {
		g.turns = map[string]*turn{}
	}
	t := g.turns[key]
	if t == nil {
		t = &turn{c: make(chan struct{}, 1)}
		g.turns[key] = t
	}
	t.waiting++
	g.mu.Unlock()
	leave := func() {
		g.mu.Lock()
		if t.waiting--; t.waiting == 0 {
			delete(g.turns, key)
		}
		g.mu.Unlock()
	}
	select {
	case t.c <- struct{}{}:
		return func() { <-t.c; leave() }, true
	case <-ctx.Done():
		leave()
		return nil, false
	}
}
