package sqlstore

import (
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/checkin-oss/checkin"
)

// view is the store's side of a check-in decision: what the decision reads
// (checkin.DecisionView). It is built one of three ways:
//   - from the memo alone, on SQLite (memo.go): a lookup that is not kept
//     ends the run with errMemoMiss, and the store reads a snapshot instead;
//   - from a read snapshot, on SQLite: it keeps what it reads in the memo;
//   - under lock, in the write transaction: in SQLite's writer, which runs
//     one write at a time, or on PostgreSQL, where the first read of a
//     member, a user's devices or a token begins the transaction and locks
//     that row (lookups before it run outside any transaction).
type view struct {
	*Tx
	// read are the members the view has read (a few: a slice costs less
	// than a map), with their open check-ins at their own locations, so
	// that reading one again needs no query.
	read []readMember
	// memo, on SQLite, answers lookups from memory or keeps those read.
	memo *memoRun
	// untracked is set when the view read something the memo does not
	// follow: the writer cannot tell whether it is still true.
	untracked bool
	// pg, on PostgreSQL, holds the connection and its transaction.
	pg *pgConn
}

// memoRun is a view's use of the memo.
type memoRun struct {
	m    *memo
	seq  uint64  // the memo's sequence number when the view began
	only bool    // answer from the memo alone: a miss ends the run
	used []int64 // the members whose check-ins the view read
}

// pgConn is a PostgreSQL decision's connection, and its transaction once
// begun.
type pgConn struct {
	conn *sql.Conn
	tx   *sql.Tx
	// optimistic lets a member found by a lookup, with no open check-in
	// and no plan limits, be used without a lock while nothing is locked:
	// a first check-in, which the batcher writes after reading the member
	// again under lock (start_postgres.go).
	optimistic bool
	// unlocked are the members so used.
	unlocked []readMember
}

// useUnlocked reports whether the decision may use r, read without a
// lock, and notes it.
func (pg *pgConn) useUnlocked(r readMember) bool {
	if !pg.optimistic || pg.tx != nil || r.open != nil || r.member.MonthLimit != nil || r.member.WeekLimit != nil {
		return false
	}
	if !slices.ContainsFunc(pg.unlocked, func(u readMember) bool { return u.member.CoworkerID == r.member.CoworkerID }) {
		pg.unlocked = append(pg.unlocked, r)
	}
	return true
}

// locks reports whether reads lock what they read (PostgreSQL only:
// SQLite's writer already runs one write at a time).
func (v *view) locks() bool { return v.pg != nil }

// begin begins the PostgreSQL transaction, if it has not begun.
func (v *view) begin() error {
	if v.pg == nil || v.pg.tx != nil {
		return nil
	}
	tx, err := v.pg.conn.BeginTx(v.ctx, nil)
	if err != nil {
		return err
	}
	v.pg.tx, v.q = tx, tx
	return nil
}

// lock, on PostgreSQL, begins the transaction if it has not begun and
// locks a row of table (one of the store's own names); on SQLite it does
// nothing.
func (v *view) lock(table string, id int64) error {
	if !v.locks() {
		return nil
	}
	if err := v.begin(); err != nil {
		return err
	}
	_, err := v.Exec("SELECT id FROM "+table+" WHERE id = ? FOR UPDATE", id)
	return err
}

// stillTrue reports whether what the view read on SQLite is still what the
// database holds, from the writer's batch: nothing it used changed since it
// began, in an earlier batch or in this one so far.
func (v *view) stillTrue(c *changes) bool {
	r := v.memo
	return r != nil && c != nil && !v.untracked && r.m.unchanged(r.seq, r.used) && !c.touches(r.used)
}

// keptList is a lookup of records with the memo: none when no row holds
// the credential cred (if not ""), else from memory alone when the run is
// memo-only (a miss is errMemoMiss), else from the database, keeping what
// it found (when it found none, only if keepNone).
func keptList[T any](v *view, key, cred string, keepNone bool, query func() ([]T, error)) ([]T, error) {
	if v.heldByNoOne(cred) {
		return nil, nil
	}
	r := v.memo
	if r != nil && r.only {
		e, found := r.m.get(key)
		if !found {
			return nil, errMemoMiss
		}
		list, _ := e.value.([]T)
		return slices.Clone(list), nil
	}
	list, err := query()
	if err == nil && r != nil && (keepNone || len(list) > 0) {
		r.m.put(key, r.seq, slices.Clone(list))
	}
	return list, err
}

// keptMembers is members with the memo: a credential's members, with their
// open check-ins; none, with no query, when no row holds the credential
// cred (if not "").
func (v *view) keptMembers(key, cred string, query string, args ...any) ([]checkin.Member, error) {
	if v.heldByNoOne(cred) {
		return nil, nil
	}
	if r := v.memo; r != nil && r.only {
		rs, ids, ok := r.m.getMembers(key, nil)
		if !ok {
			return nil, errMemoMiss
		}
		r.used = append(r.used, ids...)
		out := make([]checkin.Member, len(rs))
		for i, rm := range rs {
			out[i] = rm.member
			v.remember(rm)
		}
		return out, nil
	}
	ms, err := v.members(query, args...)
	if err != nil || v.memo == nil || len(ms) == 0 {
		return ms, err // a credential no one holds is not kept: guesses would fill the memo
	}
	rs := make([]readMember, len(ms))
	for i, m := range ms {
		rs[i], _ = v.readOf(m.CoworkerID)
	}
	v.memo.m.putMembers(key, v.memo.seq, rs)
	return ms, nil
}

// heldByNoOne reports, from the memo's filter on SQLite or the listener's
// on PostgreSQL, that no row holds the credential cred (credKey), so its
// lookup finds no one. A filter learns of a credential written here before
// the row's COMMIT, so it never misses one.
func (v *view) heldByNoOne(cred string) bool {
	switch {
	case cred == "":
		return false
	case v.memo != nil:
		return !v.memo.m.held.mayHold(cred)
	case v.db.listener != nil:
		f := v.db.listener.creds.filter.Load()
		return f != nil && !f.mayHold(cred)
	}
	return false
}

// remember keeps a member the view read, replacing an earlier read.
func (v *view) remember(r readMember) {
	if v.memo != nil {
		v.memo.used = append(v.memo.used, r.member.CoworkerID)
	}
	for i := range v.read {
		if v.read[i].member.CoworkerID == r.member.CoworkerID {
			v.read[i] = r
			return
		}
	}
	v.read = append(v.read, r)
}

// readOf returns the member with that coworker id the view has read, if
// reading them again would find the same: always on SQLite (a snapshot,
// the memo or the writer, where nothing changes meanwhile); on PostgreSQL
// for a member read under lock, or one of a first check-in (useUnlocked).
func (v *view) readOf(coworkerID int64) (readMember, bool) {
	for _, r := range v.read {
		if r.member.CoworkerID == coworkerID {
			return r, !v.locks() || r.locked || v.pg.useUnlocked(r)
		}
	}
	return readMember{}, false
}

// uses notes that the view read a member's check-ins.
func (v *view) uses(coworkerID int64) {
	if v.memo != nil {
		v.memo.used = append(v.memo.used, coworkerID)
	}
}

func (v *view) Settings(businessID int64) (checkin.Settings, error) {
	return v.settings(businessID)
}

// one returns nil for a query that found nothing.
func one[T any](v *T, err error) (*T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func timePtr(t *checkin.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}
