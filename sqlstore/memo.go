package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"hash/maphash"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
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

// A kept lookup depends on everything the lookups read, and on the
// check-ins of the members it holds (by coworker id): those change often,
// and each change makes stale only the lookups of its member.

// depState is when a member's check-ins last changed, and how many
// uncommitted batches are changing them now.
type depState struct {
	bumped   uint64
	inflight int
}

type memoEntry struct {
	seq   uint64  // the sequence number just before the read that found it
	deps  []int64 // a members lookup: the members, whose check-ins it holds
	value any     // any other lookup: what it found
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

// getMembers returns the members a kept lookup names (an entry whose deps
// are their ids), if the entry and each member are still true.
func (m *memo) getMembers(key string, out []readMember) ([]readMember, []int64, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || !m.valid(e.seq, e.deps) {
		return nil, nil, false
	}
	for i, id := range e.deps {
		rec, ok := m.members[id]
		if !ok || !m.valid(rec.seq, e.deps[i:i+1]) {
			return nil, nil, false
		}
		out = append(out, rec.r)
	}
	return out, e.deps, true
}

// putMembers keeps a lookup's members, read by a read that began after seq.
func (m *memo) putMembers(key string, seq uint64, rs []readMember) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := make([]int64, len(rs))
	for i, r := range rs {
		ids[i] = r.member.CoworkerID
	}
	if m.paused || !m.valid(seq, ids) {
		return
	}
	if len(m.entries) >= maxMemoEntries {
		m.forget()
	}
	for _, r := range rs {
		if old, ok := m.members[r.member.CoworkerID]; !ok || old.seq < seq {
			m.members[r.member.CoworkerID] = memberRecord{seq: seq, r: r}
		}
	}
	m.entries[key] = memoEntry{seq: seq, deps: ids}
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
	if !m.valid(e.seq, e.deps) {
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

// changes collects the keys one writer batch changes, from SQLite's
// pre-update hook, and marks each once in the memo.
type changes struct {
	m *memo
	// rows counts the rows the writer has changed, ever: a decision in
	// the writer that read a row when rows was n knows it unchanged while
	// rows is still n.
	rows        uint64
	coworkerCol int  // checkins.coworker_id's column
	all         bool // a table every lookup may read changed
	begun       bool // the changes are marked in the memo
	seen        map[int64]struct{}
	deps        []int64
	row         []any
	// inserted are the throttling keys whose rows the batch inserts, and
	// rebuilt a key filter built inside the batch, used once it commits.
	inserted []string
	rebuilt  *keyFilter
	// creds are the credentials the batch's rows hold (credKey), and
	// pincodeCol coworkers.access_pincode's column.
	creds      []string
	pincodeCol int
}

// credKey names a credential in memo.held: a card ('c'), a member's
// pincode ('p') or a device's MAC ('d', of a user or of a token).
func credKey(kind byte, value string) string { return string(kind) + value }

// tablesNotKept are the tables no kept lookup reads, besides those the hook
// follows row by row.
var tablesNotKept = map[string]bool{
	"failed_checkins": true, "events": true, "oauth_tokens": true, "schema_migrations": true,
	"sqlite_sequence": true, "sqlite_stat1": true,
}

// row is SQLite's pre-update hook: one row is about to change.
func (c *changes) rowChanging(d sqlite.SQLitePreUpdateData) {
	c.rows++
	switch {
	case d.TableName == "checkins":
		c.coworkerOf(d, false)
		c.coworkerOf(d, true)
	case d.TableName == "throttle_keys":
		c.throttleKeyInserted(d)
	case d.TableName == "coworker_cards":
		c.credential(d, 'c', 1) // (business_id, card, ...)
	case d.TableName == "user_devices" || d.TableName == "token_devices":
		c.credential(d, 'd', 1) // (user_id or token_id, mac, ...)
	case d.TableName == "coworkers":
		c.credential(d, 'p', c.pincodeCol)
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
		c.mark(id)
	}
}

// throttleKeyInserted notes a new throttling key. An update counts a
// failure against a key that already has a row; a delete (the purge)
// leaves the key in the filter until the filter is rebuilt.
func (c *changes) throttleKeyInserted(d sqlite.SQLitePreUpdateData) {
	if d.Op != sqlite3.SQLITE_INSERT {
		return
	}
	if row, ok := c.values(d, 1, true); ok {
		if name, ok := row[0].(string); ok {
			c.inserted = append(c.inserted, name)
		}
	}
}

// credential notes the credential a row inserted or updated holds, in
// column col. The row's table is one every lookup may read, as any other.
func (c *changes) credential(d sqlite.SQLitePreUpdateData, kind byte, col int) {
	c.all = true
	if row, ok := c.values(d, col+1, true); ok {
		switch v := row[col].(type) {
		case string:
			c.creds = append(c.creds, credKey(kind, v))
		case []byte:
			c.creds = append(c.creds, credKey(kind, string(v)))
		case nil:
		default: // a column of TEXT affinity holds text; anything else is held anyway
			c.creds = append(c.creds, credKey(kind, fmt.Sprint(v)))
		}
	}
}

func (c *changes) mark(id int64) {
	if _, ok := c.seen[id]; ok {
		return
	}
	c.seen[id] = struct{}{}
	c.deps = append(c.deps, id)
}

// committing marks the batch's changes in the memo just before its COMMIT:
// until then no other connection can see them.
func (c *changes) committing() {
	for _, k := range c.creds {
		c.m.held.add(k)
	}
	keys := c.m.keys.Load()
	for _, k := range c.inserted {
		keys.add(k)
		if c.rebuilt != nil {
			c.rebuilt.add(k)
		}
	}
	if c.all || len(c.deps) > 0 {
		c.m.begin(c.all, c.deps)
		c.begun = true
	}
}

// ended marks the batch's changes as committed or rolled back, and starts
// collecting the next batch's.
func (c *changes) ended(committed bool) {
	if c.begun {
		c.m.end(c.all, c.deps)
	}
	if c.rebuilt != nil && committed {
		c.m.keys.Store(c.rebuilt)
	}
	c.all, c.begun, c.deps, c.inserted, c.rebuilt, c.creds = false, false, c.deps[:0], c.inserted[:0], nil, c.creds[:0]
	clear(c.seen)
}

// rebuildKeys builds, in the writer's transaction, a key filter of the
// throttling keys left: it replaces the filter if the batch commits.
func (c *changes) rebuildKeys(tx *Tx) error {
	rows, err := tx.Query("SELECT name FROM throttle_keys")
	f, err := keyFilterOf(rows, err, c.m.keys.Load().seed)
	if err != nil {
		return err
	}
	c.rebuilt = f
	return nil
}

// followChanges registers the pre-update hook on the writer's connection,
// which makes every change the store makes from now on.
func followChanges(ctx context.Context, c *conn) (*changes, error) {
	ch := &changes{m: newMemo(), seen: map[int64]struct{}{}}
	var err error
	if ch.coworkerCol, err = columnOf(ctx, c, "checkins", "coworker_id"); err != nil {
		return nil, err
	}
	if ch.pincodeCol, err = columnOf(ctx, c, "coworkers", "access_pincode"); err != nil {
		return nil, err
	}
	rows, err := c.c.QueryContext(ctx, "SELECT name FROM throttle_keys")
	keys, err := keyFilterOf(rows, err, maphash.MakeSeed())
	if err != nil {
		return nil, fmt.Errorf("read the throttling keys: %w", err)
	}
	ch.m.keys.Store(keys)
	rows, err = c.c.QueryContext(ctx, `SELECT 'c' || card FROM coworker_cards UNION ALL SELECT 'p' || access_pincode FROM coworkers
		UNION ALL SELECT 'd' || mac FROM user_devices UNION ALL SELECT 'd' || mac FROM token_devices`)
	if ch.m.held, err = keyFilterOf(rows, err, maphash.MakeSeed()); err != nil {
		return nil, fmt.Errorf("read the credentials: %w", err)
	}
	err = c.c.Raw(func(dc any) error {
		h, ok := dc.(sqlite.HookRegisterer)
		if !ok {
			return fmt.Errorf("the SQLite driver's connection %T takes no pre-update hook", dc)
		}
		h.RegisterPreUpdateHook(ch.rowChanging)
		return nil
	})
	return ch, err
}

// columnOf returns the place of a table's column among its columns, as the
// pre-update hook numbers a row's values.
func columnOf(ctx context.Context, c *conn, table, column string) (int, error) {
	var cid int
	if err := c.c.QueryRowContext(ctx, "SELECT cid FROM pragma_table_info(?) WHERE name = ?", table, column).Scan(&cid); err != nil {
		return 0, fmt.Errorf("find %s.%s: %w", table, column, err)
	}
	return cid, nil
}

// keyFilterOf builds a key filter of the names a query returns.
func keyFilterOf(rows *sql.Rows, err error, seed maphash.Seed) (*keyFilter, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	f := newKeyFilter(seed)
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		f.add(name)
	}
	return f, rows.Err()
}
