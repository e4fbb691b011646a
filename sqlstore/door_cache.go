package sqlstore

import (
	"sync"

	"github.com/checkin-oss/checkin"
)

// doorCache keeps doors by the hash of their key, so that a door's call
// needs no query. It is used only where this process is the database's one
// writer (SQLite with the memo on); PostgreSQL, shared by instances, reads
// the door at every call. Its one rule: every write to the doors table
// through the store empties it, and a door read before that write is not
// kept after it (gen).
type doorCache struct {
	mu     sync.Mutex
	gen    uint64
	byHash map[string]checkin.Door
}

func (c *doorCache) get(hash string) (checkin.Door, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.byHash[hash]
	return d, ok
}

// generation is read before a door is looked up, to be given to put.
func (c *doorCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps a door read at generation gen, unless the doors have changed since.
func (c *doorCache) put(hash string, d checkin.Door, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.byHash == nil {
		c.byHash = map[string]checkin.Door{}
	}
	c.byHash[hash] = d
}

// seen records a door's LastSeen in its kept copy.
func (c *doorCache) seen(hash string, at checkin.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.byHash[hash]; ok {
		d.LastSeen = &at
		c.byHash[hash] = d
	}
}

// forget empties the cache after a write to the doors table.
func (c *doorCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.byHash = nil
}
