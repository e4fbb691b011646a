package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/checkin-oss/checkin"
)

// A server that has just started would otherwise read the database for the
// first check-in of every card, pincode and device, and the morning after a
// restart is when most members come in. So Open starts filling the memo
// with those lookups, each as its own query would find it
// (view_member.go), in a few queries that read them all on one read
// snapshot. What a write changes meanwhile is not kept, as for any read
// (memo.put). It keeps at most half of maxMemoEntries, so that the lookups
// of a large network do not push out everything else at once.

// warmMemo fills the memo in the background; Close stops it.
func (db *DB) warmMemo() {
	ctx, cancel := context.WithCancel(context.Background())
	db.stopWarming = cancel
	log := db.Log // as Open found it: a caller may set another once Open returns
	db.warming.Go(func() {
		start := time.Now()
		var n int
		err := db.read(ctx, func(tx *Tx) error {
			var err error
			n, err = db.memo.warm(ctx, tx.q, maxMemoEntries/2)
			return err
		})
		if err != nil && ctx.Err() == nil {
			log.Warn("the check-ins' lookups could not be read into memory at start; check-ins read them as they come", "err", err)
			return
		}
		log.Debug("check-ins' lookups read into memory", "lookups", n, "took", time.Since(start))
	})
}

// warmLookup is one kind of lookup to fill: its memo key's kind, and a
// query of memberColumns, then the key's number and text, ordered by the
// key and then as the lookup orders its members.
type warmLookup struct {
	kind  byte
	query string
}

var warmLookups = []warmLookup{
	{'c', "SELECT " + memberColumns + ", b.network_id, cc.card" + memberFrom + cardsJoin +
		" ORDER BY b.network_id, cc.card, c.id"},
	{'p', "SELECT " + memberColumns + ", c.business_id, c.access_pincode" + memberFrom + `
		WHERE c.access_pincode <> '' ORDER BY c.business_id, c.access_pincode, c.id`},
	{'u', "SELECT " + memberColumns + ", c.user_id, CAST(b.network_id AS TEXT)" + memberFrom + profilesJoin +
		" WHERE c.user_id IS NOT NULL ORDER BY c.user_id, b.network_id, c.id"},
}

// warmDevices reads the users of every device MAC, as personsByDevice
// orders them.
const warmDevices = "SELECT d.mac, " + devicePersons + " ORDER BY d.mac, u.id"

// warm fills m from q, with up to limit lookups, and returns how many it
// kept.
func (m *memo) warm(ctx context.Context, q queryer, limit int) (int, error) {
	seq := m.now()
	full := func() bool { return m.size() >= limit }
	for _, l := range warmLookups {
		if err := m.warmMembers(ctx, q, seq, l, full); err != nil {
			return m.size(), err
		}
	}
	err := eachGroup(ctx, q, warmDevices, full, func(rows *sql.Rows) (string, checkin.Person, error) {
		var mac string
		p, err := scanDevicePerson(rows, &mac)
		return memoKey('d', 0, mac), p, err
	}, func(key string, ps []checkin.Person) { m.put(key, seq, ps) })
	return m.size(), err
}

// size is how many lookups m keeps.
func (m *memo) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (m *memo) warmMembers(ctx context.Context, q queryer, seq uint64, l warmLookup, full func() bool) error {
	return eachGroup(ctx, q, l.query, full, func(rows *sql.Rows) (string, readMember, error) {
		var id sql.NullInt64
		var text sql.NullString
		r, err := scanMember(rows, &id, &text)
		return memoKey(l.kind, id.Int64, text.String), r, err
	}, func(key string, rs []readMember) { m.putMembers(key, seq, rs) })
}

// eachGroup runs query and hands keep each run of rows with one key, in
// order, until full reports true.
func eachGroup[T any](ctx context.Context, q queryer, query string, full func() bool,
	scan func(*sql.Rows) (string, T, error), keep func(string, []T)) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	var key string
	var group []T
	for rows.Next() && !full() {
		k, v, err := scan(rows)
		if err != nil {
			return err
		}
		if k != key && len(group) > 0 {
			keep(key, group)
			group = nil
		}
		key, group = k, append(group, v)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(group) > 0 && !full() {
		keep(key, group)
	}
	return nil
}
