// Package fuzztest holds what the fuzz targets share.
package fuzztest

import (
	"fmt"
	"runtime/debug"
	"testing"
	"time"
)

// Within runs fn and fails t, naming the input, if fn panics or has not
// returned after limit: the fuzz engine then keeps the input as a crasher,
// where a hang would otherwise stall the worker without saying which input
// did it. fn reports what it finds with t.Errorf, never t.Fatal.
func Within(t testing.TB, limit time.Duration, input any, fn func()) {
	t.Helper()
	done := make(chan string, 1) // the panic and its stack, if any
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- fmt.Sprintf("%v\n%s", p, debug.Stack())
				return
			}
			done <- ""
		}()
		fn()
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case p := <-done:
		if p != "" {
			t.Fatalf("panic for the input %q: %s", input, p)
		}
	case <-timer.C:
		t.Fatalf("no answer after %v for the input %q", limit, input)
	}
}
