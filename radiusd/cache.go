package radiusd

import (
	"net/netip"
	"sync"
	"time"

	"layeh.com/radius"
)

// A retransmission (same source, Identifier and Request Authenticator) is
// answered with the first copy's answer, never decided twice. Answers are
// kept in two generations of up to cacheGeneration entries each, swapped
// every cacheAge, so that each is kept from cacheAge to twice that (30 s),
// and a flood of requests bounds the memory rather than the time: at
// 10 000 requests a second an answer is still kept 3 to 6 seconds, past
// the usual first retransmission (3 s), in about 15 MB.
const (
	cacheAge        = 15 * time.Second
	cacheGeneration = 30_000
)

type cacheKey struct {
	src  netip.AddrPort
	id   byte
	auth [16]byte
}

func newCacheKey(src netip.AddrPort, p *radius.Packet) cacheKey {
	return cacheKey{src: src, id: p.Identifier, auth: p.Authenticator}
}

// cachedReply's b is nil while the first copy is being decided.
type cachedReply struct{ b []byte }

type replyCache struct {
	mu         sync.Mutex
	cur, prev  map[cacheKey]cachedReply
	curStarted time.Time
}

// begin returns the answer already sent for key, or reports that the first
// copy is still being decided; otherwise it marks key as being decided.
func (c *replyCache) begin(key cacheKey) (reply []byte, inFlight bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.cur == nil || now.Sub(c.curStarted) >= cacheAge || len(c.cur) >= cacheGeneration {
		c.prev, c.cur, c.curStarted = c.cur, make(map[cacheKey]cachedReply, len(c.cur)), now
	}
	e, ok := c.cur[key]
	if !ok {
		e, ok = c.prev[key]
	}
	if ok {
		if e.b == nil {
			return nil, true
		}
		return e.b, false
	}
	c.cur[key] = cachedReply{}
	return nil, false
}

// finish keeps the answer sent for key.
func (c *replyCache) finish(key cacheKey, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.cur[key]; ok {
		c.cur[key] = cachedReply{b}
	} else if _, ok := c.prev[key]; ok {
		c.prev[key] = cachedReply{b}
	}
}

// forget drops key: no answer was sent, and a retransmission is decided.
func (c *replyCache) forget(key cacheKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.cur, key)
	delete(c.prev, key)
}
