package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/checkin-oss/checkin"
)

// Decide runs a check-in decision: what it reads, what it writes and its
// FailedCheckin commit together or not at all.
//
// Most decisions change nothing but a FailedCheckin: refusals, and members
// who check in again while checked in. So a decision first runs on a read
// snapshot, which never waits for the writer; a refusal's FailedCheckin
// and throttling failures are kept aside and written on their own once the
// decision is made (an insert and upserts that depend on nothing else the
// decision read). The first time such a run
// would change anything else, it stops and the decision runs again from the
// start in a write transaction, where it locks what it reads. On PostgreSQL
// a write transaction is run again if it loses a serialisation race.
//
// On SQLite (unless memo=off) a decision is first run from the memo alone (memo.go), with no
// SQL at all; it counts only if everything it asked for was there and none
// of it changed while it ran. Otherwise it runs on a snapshot as above,
// which keeps what it reads in the memo.
func (db *DB) Decide(ctx context.Context, fn func(checkin.DecisionTx) error) error {
	var dtx *decisionTx
	err := errMemoMiss
	if db.memo != nil && !db.closed.Load() {
		run := &memoRun{m: db.memo, seq: db.memo.now(), only: true}
		dtx = &decisionTx{Tx: db.newTx(ctx, nil), snapshot: true, memo: run}
		err = fn(dtx)
		switch {
		case errors.Is(err, errNeedsWrite): // decided afresh in the writer
		case err != nil || !db.memo.unchanged(run.seq, run.used):
			err = errMemoMiss
		default:
			db.memo.answered.Add(1)
		}
	}
	if errors.Is(err, errMemoMiss) {
		var run *memoRun
		if db.memo != nil {
			run = &memoRun{m: db.memo, seq: db.memo.now()}
		}
		err = db.read(ctx, func(tx *Tx) error {
			dtx = &decisionTx{Tx: tx, snapshot: true, memo: run}
			return fn(dtx)
		})
	}
	switch {
	case err == nil && len(dtx.failed) == 0 && len(dtx.throttled) == 0:
		return nil
	case err == nil:
		return db.writeRefusal(&refusal{ctx: ctx, failed: dtx.failed, throttled: dtx.throttled})
	case !errors.Is(err, errNeedsWrite):
		return err
	}
	err = db.write(ctx, func(tx *Tx) error {
		dtx = &decisionTx{Tx: tx}
		return fn(dtx)
	})
	if err == nil && dtx.settingsChanged {
		db.cache.forgetAll()
	}
	return err
}

// errNeedsWrite stops a decision running on a read snapshot the first time
// it would change something other than its FailedCheckin.
var errNeedsWrite = errors.New("sqlstore: the decision changes records; run it in a write transaction")

// write reports errNeedsWrite when the decision runs on a snapshot.
func (tx *decisionTx) write() error {
	if tx.snapshot {
		return errNeedsWrite
	}
	return nil
}

// PersonByEmail reads a user for a password check.
func (db *DB) PersonByEmail(ctx context.Context, email string) (*checkin.Person, error) {
	var p *checkin.Person
	err := db.readOne(ctx, func(tx *Tx) error {
		var err error
		p, err = (&decisionTx{Tx: tx}).PersonByEmail(email)
		return err
	})
	return p, err
}

// decisionTx is the store's side of a check-in decision.
type decisionTx struct {
	*Tx
	// snapshot is set while the decision runs on a read snapshot: it locks
	// nothing, changes nothing and keeps its FailedCheckins in failed.
	snapshot  bool
	failed    []*checkin.FailedCheckin
	throttled []checkin.ThrottleFailure
	// read are the members the decision has read (a few: a slice costs
	// less than a map). On a snapshot nothing changes them, so locking one,
	// or asking for their open check-in at their own location, needs no
	// query.
	read            []readMember
	settingsChanged bool
	// memo, on SQLite, answers lookups from memory (memo-only) or keeps
	// those read on the snapshot.
	memo *memoRun
}

// memoRun is a decision's use of the memo.
type memoRun struct {
	m    *memo
	seq  uint64  // the memo's sequence number when the decision began
	only bool    // answer from the memo alone: a miss ends the run
	used []int64 // what the entries used depend on, checked at the end
}

// keptList is a lookup of records with the memo: none when no row holds
// the credential cred (if not ""), else from memory alone when the run is
// memo-only (a miss is errMemoMiss), else from the database, keeping what
// it found (when it found none, only if keepNone).
func keptList[T any](tx *decisionTx, key, cred string, keepNone bool, query func() ([]T, error)) ([]T, error) {
	if tx.heldByNoOne(cred) {
		return nil, nil
	}
	r := tx.memo
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
// open check-ins, depending on those members' check-ins; none, with no
// query, when no row holds the credential cred (if not "").
func (tx *decisionTx) keptMembers(key, cred string, query string, args ...any) ([]checkin.Member, error) {
	if tx.heldByNoOne(cred) {
		return nil, nil
	}
	if r := tx.memo; r != nil && r.only {
		rs, ids, ok := r.m.getMembers(key, nil)
		if !ok {
			return nil, errMemoMiss
		}
		r.used = append(r.used, ids...)
		out := make([]checkin.Member, len(rs))
		for i, rm := range rs {
			out[i] = rm.member
			tx.remember(rm)
		}
		return out, nil
	}
	ms, err := tx.members(query, args...)
	if err != nil || tx.memo == nil || len(ms) == 0 {
		return ms, err // a credential no one holds is not kept: guesses would fill the memo
	}
	rs := make([]readMember, len(ms))
	for i, m := range ms {
		rs[i], _ = tx.readOf(m.CoworkerID)
	}
	tx.memo.m.putMembers(key, tx.memo.seq, rs)
	return ms, nil
}

// heldByNoOne reports, with the memo, that no row holds the credential
// cred (credKey): its lookup finds no one. A decision that relies on it is
// as true as one that read the tables: a credential's row is in the filter
// before its COMMIT, and marks every kept lookup as changing.
func (tx *decisionTx) heldByNoOne(cred string) bool {
	return cred != "" && tx.memo != nil && !tx.memo.m.held.mayHold(cred)
}

func (tx *decisionTx) remember(r readMember) {
	if c := tx.writerChanges(); c != nil {
		r.rows = c.rows
	}
	for i := range tx.read {
		if tx.read[i].member.CoworkerID == r.member.CoworkerID {
			tx.read[i] = r
			return
		}
	}
	tx.read = append(tx.read, r)
}

// readOf returns the member with that coworker id the decision has read,
// if what it read is still what the database holds: always on a snapshot,
// where nothing changes; in SQLite's writer, while no row has changed since
// (the writer is the only one that writes, and the memo's hook counts every
// row it changes). A member read on PostgreSQL's write transaction is read
// again, locked.
func (tx *decisionTx) readOf(coworkerID int64) (readMember, bool) {
	for _, r := range tx.read {
		if r.member.CoworkerID != coworkerID {
			continue
		}
		if tx.snapshot {
			return r, true
		}
		c := tx.writerChanges()
		return r, c != nil && c.rows == r.rows
	}
	return readMember{}, false
}

// writerChanges is the writer's follower of changed rows, when the decision
// runs in SQLite's writer with the memo; nil otherwise.
func (tx *decisionTx) writerChanges() *changes {
	if tx.snapshot || tx.db.writer == nil {
		return nil
	}
	return tx.db.writer.changes
}

func (tx *decisionTx) Settings(businessID int64) (checkin.Settings, error) {
	return tx.settings(businessID)
}

// one returns nil for a query that found nothing.
func one[T any](v *T, err error) (*T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return v, err
}

func (tx *decisionTx) AddFailedCheckin(f *checkin.FailedCheckin) error {
	if f.CoworkerID != nil {
		snap, err := snapshotCoworker(tx.Tx, *f.CoworkerID)
		if err != nil {
			return err
		}
		f.TeamsAtTheTimeOfCheckin, f.TariffAtTheTimeOfCheckin = snap.teams, snap.tariff
	}
	if tx.snapshot {
		tx.stampAttempt(f)
		tx.failed = append(tx.failed, f)
		return nil
	}
	return tx.addFailedCheckin(f)
}

func timePtr(t *checkin.Time) *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}
