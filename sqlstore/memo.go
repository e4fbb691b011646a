package sqlstore

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// On SQLite, unless memo=off is in its --db value, the server keeps lookups in
// memory. The server is the only process that writes its file
// (docs/operations.md), and every write after Open runs in the writer
// (writer.go). So the store can keep what check-ins look up (a card's,
// pincode's or device's members, their open check-ins, a MAC's tokens,
// throttling keys) in memory, and know exactly when a lookup it keeps stops
// being true: SQLite reports every row the writer changes, before the
// change is committed (its pre-update hook), and the writer says when the
// batch holding the change has committed or rolled back.
//
// A change to a member's check-ins makes stale only that member's record,
// a change to a throttling key only what depends on that key, and a change
// to any other table the lookups read (members, cards, devices, plans,
// tokens, settings, locations...) makes every lookup stale. A decision
// answered from memory alone (memo-only, with no SQL at all) is accepted
// only if nothing it used changed while it ran; otherwise it is decided
// again from the database.
//
// Versions are one sequence number for the whole memo. A key (a member, a
// throttling key, or "everything") is bumped twice per batch that changes
// it: just before the batch's COMMIT (no other connection sees a change
// before it) and when the batch ends.
// Between the two it is in flight: nothing depending on it is answered from
// memory or kept. A lookup read from the database is kept only if nothing
// it depends on was bumped since just before its read began, so a read that
// raced a commit is never kept.

// maxMemoEntries and maxMemoStates bound the memory the memo takes: when
// either is reached, it starts again empty (unknown cards sent by the
// million fill it with "no one" answers that are seldom asked again).
const (
	maxMemoEntries = 1 << 17
	maxMemoStates  = 1 << 16
)

// A kept lookup of members is two things: which members hold a credential,
// which depends only on the tables every lookup may read, and each of those
// members as read, with their open check-in, which depends on that member's
// check-ins too (by coworker id). Check-ins change often; a change makes
// stale only its member's record, and the batch that made it reads the
// member again just before it commits (changes.readChanged, refresh), so
// the record is true again for every credential of theirs.

// depState is when a member's check-ins last changed, and how many
// uncommitted batches are changing them now.
type depState struct {
	bumped   uint64
	inflight int
}

type memoEntry struct {
	seq     uint64  // the sequence number just before the read that found it
	members []int64 // a members lookup: the members it found (their records are in memo.members)
	value   any     // any other lookup: what it found
}

type memo struct {
	mu  sync.Mutex
	seq uint64
	// floor is the sequence number when the memo last started again:
	// entries and reads from before it are not trusted.
	floor   uint64
	all     depState // changes to the tables every lookup may read
	states  map[int64]depState
	entries map[string]memoEntry
	// members are the members the entries name, each kept once however
	// many credentials name them, with their open check-ins.
	members map[int64]memberRecord
	// keys holds at least every throttling key with a row (keyfilter.go).
	keys atomic.Pointer[keyFilter]
	// held holds at least every card, pincode and device MAC a row holds
	// (credKey): a lookup of one it does not hold finds no one, with no
	// query. A credential taken away stays in it (a lookup then queries).
	held *keyFilter
	// answered counts the decisions answered from memory alone.
	answered atomic.Int64
	// paused is set while the heap is too full for the memo to keep
	// anything (see yield).
	paused bool
}

// MemoDecisions returns how many check-in decisions were answered from
// memory alone, without SQL (always 0 on PostgreSQL).
func (db *DB) MemoDecisions() int64 {
	if db.memo == nil {
		return 0
	}
	return db.memo.answered.Load()
}

// memberRecord is a member as a read found them, at seq.
type memberRecord struct {
	seq uint64
	r   readMember
}

func newMemo() *memo {
	return &memo{states: map[int64]depState{}, entries: map[string]memoEntry{}, members: map[int64]memberRecord{}}
}

// forget drops every entry and member kept. It is called with mu held.
func (m *memo) forget() {
	m.entries = map[string]memoEntry{}
	m.members = map[int64]memberRecord{}
}

// getMembers returns the members a kept lookup names, if the lookup and
// each member's record are still true.
func (m *memo) getMembers(key string, out []readMember) ([]readMember, []int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || !m.valid(e.seq, nil) {
		return nil, nil, false
	}
	for i, id := range e.members {
		rec, ok := m.members[id]
		if !ok || !m.valid(rec.seq, e.members[i:i+1]) {
			return nil, nil, false
		}
		out = append(out, rec.r)
	}
	return out, e.members, true
}

// putMembers keeps a lookup's members, read by a read that began after seq:
// the lookup, and each member's record unless their check-ins changed
// since (a newer read of them will keep it).
func (m *memo) putMembers(key string, seq uint64, rs []readMember) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.paused || !m.valid(seq, nil) {
		return
	}
	if len(m.entries) >= maxMemoEntries {
		m.forget()
	}
	ids := make([]int64, len(rs))
	for i, r := range rs {
		id := r.member.CoworkerID
		ids[i] = id
		if old, ok := m.members[id]; (!ok || old.seq < seq) && m.valid(seq, ids[i:i+1]) {
			m.members[id] = memberRecord{seq: seq, r: r}
		}
	}
	m.entries[key] = memoEntry{seq: seq, members: ids}
}

// refresh keeps the records of members the writer read at the end of a
// batch that has just committed: nothing can have changed them since.
func (m *memo) refresh(rs []readMember) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.paused {
		return
	}
	for _, r := range rs {
		id := r.member.CoworkerID
		if _, ok := m.members[id]; ok && m.valid(m.seq, []int64{id}) {
			m.members[id] = memberRecord{seq: m.seq, r: r}
		}
	}
}

// now is the sequence number a read taken from now on is kept under.
func (m *memo) now() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq
}

// valid reports whether nothing in deps, nor anything else, has changed
// since seq or is changing now. It is called with mu held.
func (m *memo) valid(seq uint64, deps []int64) bool {
	if seq < m.floor || m.all.inflight > 0 || m.all.bumped > seq {
		return false
	}
	for _, d := range deps {
		if s, ok := m.states[d]; ok && (s.inflight > 0 || s.bumped > seq) {
			return false
		}
	}
	return true
}

// unchanged reports whether nothing in deps changed since seq.
func (m *memo) unchanged(seq uint64, deps []int64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.valid(seq, deps)
}

// get returns a kept lookup, if it is still true.
func (m *memo) get(key string) (memoEntry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return memoEntry{}, false
	}
	if !m.valid(e.seq, nil) {
		delete(m.entries, key)
		return memoEntry{}, false
	}
	return e, true
}

// put keeps a lookup read from the database by a read that began after
// seq, unless something changed since.
func (m *memo) put(key string, seq uint64, value any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.paused || !m.valid(seq, nil) {
		return
	}
	if len(m.entries) >= maxMemoEntries {
		m.forget()
	}
	m.entries[key] = memoEntry{seq: seq, value: value}
}

// begin marks changes being made: to everything when all is set, and to
// the keys in deps.
func (m *memo) begin(all bool, deps []int64) { m.mark(all, deps, +1) }

// end marks the changes begun as committed or rolled back.
func (m *memo) end(all bool, deps []int64) { m.mark(all, deps, -1) }

// mark bumps the changed keys, and counts them in flight (+1) or no longer
// (-1).
func (m *memo) mark(all bool, deps []int64, inflight int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	if all {
		m.all.bumped = m.seq
		m.all.inflight += inflight
		if m.all.inflight == 0 {
			m.forget() // none of the entries is true any more
		}
	}
	for _, d := range deps {
		s := m.states[d]
		s.bumped = m.seq
		s.inflight += inflight
		m.states[d] = s
	}
	if inflight < 0 && len(m.states) >= maxMemoStates {
		m.restart()
	}
}

// The memo yields its memory to the work the server does: password hashes
// (7 MiB each) in a burst would otherwise share the heap's soft limit with
// it, and the garbage collector would then run almost without pause.
// When the heap's live objects pass heapShare of the soft limit, the memo
// forgets everything and keeps nothing new until they are back under
// heapResume of it; check-ins meanwhile read the database, as without it.
const (
	heapShare  = 0.5
	heapResume = 0.4
)

// yield applies the rule above to the live heap measured after the last
// garbage collection, against the heap's limit.
func (m *memo) yield(live, limit uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case !m.paused && float64(live) > heapShare*float64(limit):
		m.paused = true
		m.restart()
	case m.paused && float64(live) < heapResume*float64(limit):
		m.paused = false
	}
}

// watchHeap calls yield every interval until quit is closed.
func (m *memo) watchHeap(interval time.Duration, quit <-chan struct{}) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		metrics.Read(sample)
		limit := debug.SetMemoryLimit(-1)
		if sample[0].Value.Kind() != metrics.KindUint64 || limit <= 0 || limit == math.MaxInt64 {
			continue // no soft limit: nothing to yield to
		}
		m.yield(sample[0].Value.Uint64(), uint64(limit))
	}
}

// restart forgets every entry, and every key not changing now: what was
// known of them is from before the new floor, which nothing older passes.
func (m *memo) restart() {
	m.floor = m.seq
	m.forget()
	for d, s := range m.states {
		if s.inflight == 0 {
			delete(m.states, d)
		}
	}
}

// memoKey names a lookup: its kind, a number and a text.
func memoKey(kind byte, id int64, text string) string {
	b := make([]byte, 0, 24+len(text))
	b = append(b, kind)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, 0)
	b = append(b, text...)
	return string(b)
}
