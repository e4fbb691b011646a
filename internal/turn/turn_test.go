package turn

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOneAtATime(t *testing.T) {
	var g Gate
	ctx := context.Background()
	first, err := g.Enter(ctx, "k")
	if err != nil {
		t.Fatal("the first did not enter:", err)
	}
	if other, err := g.Enter(ctx, "other"); err != nil {
		t.Fatal("another key waited:", err)
	} else {
		other.Leave(false)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := g.Enter(short, "k"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second entered while the first was in: %v", err)
	}
	entered := make(chan *Turn)
	go func() {
		next, _ := g.Enter(ctx, "k")
		entered <- next
	}()
	first.Leave(false)
	(<-entered).Leave(false)
	if n := g.Keys(); n != 0 {
		t.Errorf("%d keys kept after every holder left", n)
	}
}

// TestAheadFailed: those waiting when a holder leaves failing are told at
// once; one that arrives later waits its turn as usual.
func TestAheadFailed(t *testing.T) {
	var g Gate
	ctx := context.Background()
	first, _ := g.Enter(ctx, "k")
	waited := make(chan error, 2)
	for range 2 {
		go func() {
			turn, err := g.Enter(ctx, "k")
			if err == nil {
				turn.Leave(false)
			}
			waited <- err
		}()
	}
	for g.waiting("k") < 3 {
		time.Sleep(time.Millisecond)
	}
	first.Leave(true)
	for range 2 {
		if err := <-waited; !errors.Is(err, ErrAheadFailed) {
			t.Errorf("a waiter: %v, want ErrAheadFailed", err)
		}
	}
	later, err := g.Enter(ctx, "k")
	if err != nil {
		t.Fatalf("one arriving after the failure: %v", err)
	}
	later.Leave(false)
	if n := g.Keys(); n != 0 {
		t.Errorf("%d keys kept", n)
	}
}

func (g *Gate) waiting(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if q := g.queues[key]; q != nil {
		return q.waiting
	}
	return 0
}
