package sqlstore

import (
	"context"
	"fmt"
	"hash/maphash"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The writer's side of the memo: what each batch changes, from SQLite's
// pre-update hook.

// changes collects the keys one writer batch changes, from SQLite's
// pre-update hook, and marks each once in the memo.
type changes struct {
	m           *memo
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
	// fresh are the members whose check-ins the batch changed, read again
	// at its end (readChanged).
	fresh []readMember
}

// maxRefreshed bounds the members a batch reads again for the memo; a
// batch that changes more (the daily check-out) leaves theirs stale.
const maxRefreshed = 64

// readChanged reads again, in the batch's transaction just before it
// commits, the members whose check-ins it changed: once it has committed,
// their records in the memo are true again without a lookup. A failed read
// only leaves them stale.
func (c *changes) readChanged(tx *Tx) {
	c.fresh = c.fresh[:0]
	if c.all || len(c.deps) == 0 || len(c.deps) > maxRefreshed {
		return
	}
	v := &view{Tx: tx}
	if _, err := v.members(memberSelect+" WHERE c.id IN "+marks(len(c.deps)), ids(c.deps)...); err == nil {
		c.fresh = append(c.fresh, v.read...)
	}
}

// credKey names a credential in a filter of credentials (memo.held, the
// listener's creds): a card ('c'), a member's pincode ('p'), a user's
// device's MAC ('d') or a token's ('t'). Most MACs are users' devices and
// no token's: a MAC check-in then asks for the tokens with no lookup.
func credKey(kind byte, value string) string { return string(kind) + value }

// credentialsQuery reads every credential rows hold, named by credKey.
const credentialsQuery = `SELECT 'c' || card FROM coworker_cards UNION ALL SELECT 'p' || access_pincode FROM coworkers
	UNION ALL SELECT 'd' || mac FROM user_devices UNION ALL SELECT 't' || mac FROM token_devices`

// tablesNotKept are the tables no kept lookup reads, besides those the hook
// follows row by row. Some are written all day (the readiness probe's,
// webhook deliveries, RADIUS sessions, console sessions): were they not
// here, each of those writes would empty the memo.
var tablesNotKept = map[string]bool{
	"failed_checkins": true, "events": true, "oauth_tokens": true, "schema_migrations": true,
	"sqlite_sequence": true, "sqlite_stat1": true,
	"health_probe": true, "webhook_deliveries": true, "radius_sessions": true, "console_sessions": true,
	"door_events": true, "door_signing_keys": true,
}

// row is SQLite's pre-update hook: one row is about to change.
func (c *changes) rowChanging(d sqlite.SQLitePreUpdateData) {
	switch {
	case d.TableName == "checkins":
		c.coworkerOf(d, false)
		c.coworkerOf(d, true)
	case d.TableName == "throttle_keys":
		c.throttleKeyInserted(d)
	case d.TableName == "coworker_cards":
		c.credential(d, 'c', 1) // (business_id, card, ...)
	case d.TableName == "user_devices":
		c.credential(d, 'd', 1) // (user_id, mac, ...)
	case d.TableName == "token_devices":
		c.credential(d, 't', 1) // (token_id, mac, ...)
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

// touches reports whether the batch has so far changed any of the members'
// check-ins, or a table every lookup may read.
func (c *changes) touches(coworkerIDs []int64) bool {
	if c.all {
		return true
	}
	for _, id := range coworkerIDs {
		if _, ok := c.seen[id]; ok {
			return true
		}
	}
	return false
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
		if committed {
			c.m.refresh(c.fresh)
		}
	}
	if c.rebuilt != nil && committed {
		c.m.keys.Store(c.rebuilt)
	}
	c.all, c.begun, c.deps, c.inserted, c.rebuilt, c.creds, c.fresh = false, false, c.deps[:0], c.inserted[:0], nil, c.creds[:0], c.fresh[:0]
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
	rows, err = c.c.QueryContext(ctx, credentialsQuery)
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
