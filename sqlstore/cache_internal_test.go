package sqlstore

import (
	"testing"
	"time"
)

// TestKeptForgetsWhatAWriteChanged: a value read before a write forgot its
// key is not kept after it, and a value older than the ttl is not returned.
func TestKeptForgetsWhatAWriteChanged(t *testing.T) {
	now := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	c := newKept[string, int](time.Second)
	c.now = func() time.Time { return now }

	r := c.reading()
	c.put("a", 1, r)
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Fatalf("get(a) = %d, %v after a put, want 1", v, ok)
	}

	r = c.reading()                                          // a read of b begins
	c.forget(func(k string, _ int) bool { return k == "a" }) // a write of a ends
	c.put("b", 2, r)                                         // the read of b ends
	if _, ok := c.get("b"); ok {
		t.Error("a value read while a write forgot was kept")
	}
	if _, ok := c.get("a"); ok {
		t.Error("a forgotten value is still kept")
	}

	c.put("c", 3, c.reading())
	now = now.Add(999 * time.Millisecond)
	if _, ok := c.get("c"); !ok {
		t.Error("a value younger than the ttl is not returned")
	}
	now = now.Add(time.Millisecond)
	if _, ok := c.get("c"); ok {
		t.Error("a value as old as the ttl is returned")
	}

	forever := newKept[string, int](0)
	forever.put("d", 4, forever.reading())
	forever.now = func() time.Time { return now.Add(24 * time.Hour) }
	if _, ok := forever.get("d"); !ok {
		t.Error("without a ttl, a value is not kept until forgotten")
	}
	forever.forget(nil)
	if _, ok := forever.get("d"); ok {
		t.Error("forget(nil) kept a value")
	}
}
