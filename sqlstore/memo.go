package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// With memo=on in its --db value (SQLite only), the server keeps lookups in
// memory. The server is the only process that writes its file
// (docs/operations.md), and every write after Open runs in the writer
// (writer.go). So the store can keep what check-ins look up (a card's,
// pincode's or device's members, their open check-ins, a MAC's tokens,
// throttling keys) in memory, and know exactly when a lookup it keeps stops
// being true: SQLite reports every row the writer changes, before the
// change is committed (its pre-update hook), and the writer says when the
// batch holding the change has committed or rolled back.
//
// A change to a member's check-ins or to a throttling key makes only the
// lookups that depend on that member or key stale; a change to any other
// table the lookups read (members, cards, devices, plans, tokens, settings,
// locations...) makes every lookup stale. A decision answered from memory
// alone (memo-only, with no SQL at all) is accepted only if nothing it used
// changed while it ran; otherwise it is decided again from the database.
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

type depKind byte

const (
	depCoworker depKind = 'w' // a member's check-ins
	depThrottle depKind = 'k' // a throttling key's row
)

// dep is what a kept lookup depends on besides everything else: a member's
// check-ins, or one throttling key.
type dep struct {
	kind depKind
	id   int64
	name string
}

// depState is when a key last changed, and how many uncommitted batches
// are changing it now.
type depState struct {
	bumped   uint64
	inflight int
}

type memoEntry struct {
	seq   uint64 // the sequence number just before the read that found it
	deps  []dep
	value any
}

type memo struct {
	mu  sync.Mutex
	seq uint64
	// floor is the sequence number when the memo last started again:
	// entries and reads from before it are not trusted.
	floor   uint64
	all     depState // changes to the tables every lookup may read
	states  map[dep]*depState
	entries map[string]memoEntry
	// answered counts the decisions answered from memory alone.
	answered atomic.Int64
}

// MemoDecisions returns how many check-in decisions were answered from
// memory alone, without SQL (always 0 on PostgreSQL).
func (db *DB) MemoDecisions() int64 {
	if db.memo == nil {
		return 0
	}
	return db.memo.answered.Load()
}

func newMemo() *memo {
	return &memo{states: map[dep]*depState{}, entries: map[string]memoEntry{}}
}

// now is the sequence number a read taken from now on is kept under.
func (m *memo) now() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq
}

// valid reports whether nothing in deps, nor anything else, has changed
// since seq or is changing now. It is called with mu held.
func (m *memo) valid(seq uint64, deps []dep) bool {
	if seq < m.floor || m.all.inflight > 0 || m.all.bumped > seq {
		return false
	}
	for _, d := range deps {
		if s := m.states[d]; s != nil && (s.inflight > 0 || s.bumped > seq) {
			return false
		}
	}
	return true
}

// unchanged reports whether nothing in deps changed since seq.
func (m *memo) unchanged(seq uint64, deps []dep) bool {
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
	if !m.valid(e.seq, e.deps) {
		delete(m.entries, key)
		return memoEntry{}, false
	}
	return e, true
}

// put keeps a lookup read from the database by a read that began after
// seq, unless something it depends on changed since.
func (m *memo) put(key string, seq uint64, deps []dep, value any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.valid(seq, deps) {
		return
	}
	if len(m.entries) >= maxMemoEntries {
		m.entries = map[string]memoEntry{}
	}
	m.entries[key] = memoEntry{seq: seq, deps: deps, value: value}
}

// begin marks changes being made: to everything when all is set, and to
// the keys in deps.
func (m *memo) begin(all bool, deps []dep) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	if all {
		m.all.bumped = m.seq
		m.all.inflight++
	}
	for _, d := range deps {
		s := m.states[d]
		if s == nil {
			s = &depState{}
			m.states[d] = s
		}
		s.bumped = m.seq
		s.inflight++
	}
}

// end marks the changes begun as committed or rolled back.
func (m *memo) end(all bool, deps []dep) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	if all {
		m.all.bumped = m.seq
		m.all.inflight--
		if m.all.inflight == 0 {
			m.entries = map[string]memoEntry{} // none of them is true any more
		}
	}
	for _, d := range deps {
		s := m.states[d]
		s.bumped = m.seq
		s.inflight--
	}
	if len(m.states) >= maxMemoStates {
		m.restart()
	}
}

// restart forgets every entry, and every key not changing now: what was
// known of them is from before the new floor, which nothing older passes.
func (m *memo) restart() {
	m.floor = m.seq
	m.entries = map[string]memoEntry{}
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

// changes collects the keys one writer batch changes, from SQLite's
// pre-update hook, and marks each once in the memo.
type changes struct {
	m           *memo
	coworkerCol int  // checkins.coworker_id's column
	all         bool // a table every lookup may read changed
	begun       bool // the changes are marked in the memo
	seen        map[dep]struct{}
	deps        []dep
	row         []any
}

// tablesNotKept are the tables no kept lookup reads, besides those the hook
// follows row by row.
var tablesNotKept = map[string]bool{
	"failed_checkins": true, "oauth_tokens": true, "schema_migrations": true,
	"sqlite_sequence": true, "sqlite_stat1": true,
}

// row is SQLite's pre-update hook: one row is about to change.
func (c *changes) rowChanging(d sqlite.SQLitePreUpdateData) {
	switch {
	case d.TableName == "checkins":
		c.coworkerOf(d, false)
		c.coworkerOf(d, true)
	case d.TableName == "throttle_keys":
		c.throttleKeyOf(d, false)
		c.throttleKeyOf(d, true)
	case tablesNotKept[d.TableName]:
	default:
		c.all = true
	}
}

// values reads the row's first n columns, old or new; ok is false when the
// operation has no such row (no old row for an INSERT, no new one for a
// DELETE).
func (c *changes) values(d sqlite.SQLitePreUpdateData, n int, isNew bool) ([]any, bool) {
	if cap(c.row) < n {
		c.row = make([]any, n)
	}
	row := c.row[:n]
	clear(row)
	// The driver stores each value in row itself, as Rows.Scan would into
	// a *any.
	var err error
	if isNew {
		err = d.New(row...)
	} else {
		err = d.Old(row...)
	}
	return row, err == nil
}

func (c *changes) coworkerOf(d sqlite.SQLitePreUpdateData, isNew bool) {
	row, ok := c.values(d, c.coworkerCol+1, isNew)
	if !ok {
		return
	}
	if id, ok := row[c.coworkerCol].(int64); ok {
		c.mark(dep{kind: depCoworker, id: id})
	}
}

func (c *changes) throttleKeyOf(d sqlite.SQLitePreUpdateData, isNew bool) {
	if isNew && d.Op == sqlite3.SQLITE_UPDATE {
		return // an upsert counts a failure; the key's name stays
	}
	row, ok := c.values(d, 1, isNew)
	if !ok {
		return
	}
	if name, ok := row[0].(string); ok {
		c.mark(dep{kind: depThrottle, name: name})
	}
}

func (c *changes) mark(d dep) {
	if _, ok := c.seen[d]; ok {
		return
	}
	c.seen[d] = struct{}{}
	c.deps = append(c.deps, d)
}

// committing marks the batch's changes in the memo just before its COMMIT:
// until then no other connection can see them.
func (c *changes) committing() {
	if c.all || len(c.deps) > 0 {
		c.m.begin(c.all, c.deps)
		c.begun = true
	}
}

// ended marks the batch's changes as committed or rolled back, and starts
// collecting the next batch's.
func (c *changes) ended() {
	if c.begun {
		c.m.end(c.all, c.deps)
	}
	c.all, c.begun, c.deps = false, false, c.deps[:0]
	clear(c.seen)
}

// followChanges registers the pre-update hook on the writer's connection,
// which makes every change the store makes from now on.
func followChanges(ctx context.Context, c *conn) (*changes, error) {
	ch := &changes{m: newMemo(), coworkerCol: -1, seen: map[dep]struct{}{}}
	if err := c.c.QueryRowContext(ctx, "SELECT cid FROM pragma_table_info('checkins') WHERE name = 'coworker_id'").Scan(&ch.coworkerCol); err != nil {
		return nil, fmt.Errorf("find checkins.coworker_id: %w", err)
	}
	err := c.c.Raw(func(dc any) error {
		h, ok := dc.(sqlite.HookRegisterer)
		if !ok {
			return fmt.Errorf("the SQLite driver's connection %T takes no pre-update hook", dc)
		}
		h.RegisterPreUpdateHook(ch.rowChanging)
		return nil
	})
	return ch, err
}
