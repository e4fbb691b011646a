package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
)

// decideFunc is a check-in decision: from a view, the effects to apply.
type decideFunc = func(checkin.DecisionView) ([]checkin.Effect, error)

// Decide runs a check-in decision: it builds a view, asks the decision for
// its effects and applies them in one transaction (apply.go).
//
// Most decisions change nothing, or only add a FailedCheckin: refusals, and
// members who check in again while checked in. Those are decided without
// a write transaction, and a refusal's rows are written in a batch with
// other refusals' (refusal.go).
//
// On SQLite the view is read from the memo (memo.go), else from a read
// snapshot. Effects that change more go to the writer, which applies them
// if nothing the view read has changed since, and otherwise decides again
// on a view read in the writer.
//
// On PostgreSQL the decision runs on one connection: its lookups outside
// any transaction, then, from its first read of a member, a user's devices
// or a token, in a transaction that locks those rows. The effects are
// applied in that transaction. A member's first check-in is decided on the
// member as the lookup read them and written in a batch with others, which
// checks under lock that the member has not changed (start_postgres.go).
func (db *DB) Decide(ctx context.Context, decide decideFunc) error {
	if db.closed.Load() {
		return db.mapError(errClosed)
	}
	if db.dialect == postgresDialect {
		return db.decidePostgres(ctx, decide)
	}
	return db.decideSQLite(ctx, decide)
}

func (db *DB) decideSQLite(ctx context.Context, decide decideFunc) error {
	v, effects, err := db.decideFromMemo(decide)
	if errors.Is(err, errMemoMiss) {
		v, effects, err = db.decideOnSnapshot(ctx, decide)
	}
	switch {
	case err != nil:
		return db.mapError(err)
	case len(effects) == 0:
		return nil
	case checkin.OnlyRefusal(effects):
		return db.writeRefusal(refusalOf(ctx, effects))
	}
	settingsChanged := false
	err = db.write(ctx, func(tx *Tx) error {
		applied := effects
		if !v.stillTrue(db.writer.changes) {
			var err error
			if applied, err = decide(&view{Tx: tx}); err != nil {
				return err
			}
		}
		err := tx.apply(applied)
		settingsChanged = tx.settingsChanged
		return err
	})
	if err == nil && settingsChanged {
		db.cache.forgetAll()
	}
	return err
}

// decideFromMemo decides from the memo alone, with no SQL. A decision
// that changes nothing or only refuses counts only if nothing it used
// changed while it ran. Otherwise, or when it needed something the memo
// does not keep (any error: it did no I/O), it ends with errMemoMiss.
func (db *DB) decideFromMemo(decide decideFunc) (*view, []checkin.Effect, error) {
	if db.memo == nil {
		return nil, nil, errMemoMiss
	}
	run := &memoRun{m: db.memo, seq: db.memo.now(), only: true}
	v := &view{Tx: db.newTx(context.Background(), nil), memo: run}
	effects, err := decide(v)
	if err != nil {
		return nil, nil, errMemoMiss
	}
	if checkin.OnlyRefusal(effects) {
		if !db.memo.unchanged(run.seq, run.used) {
			return nil, nil, errMemoMiss
		}
		db.memo.answered.Add(1)
	}
	return v, effects, nil
}

// decideOnSnapshot decides on a read snapshot, keeping in the memo (if
// any) what it reads.
func (db *DB) decideOnSnapshot(ctx context.Context, decide decideFunc) (*view, []checkin.Effect, error) {
	var run *memoRun
	if db.memo != nil {
		run = &memoRun{m: db.memo, seq: db.memo.now()}
	}
	var v *view
	var effects []checkin.Effect
	err := db.read(ctx, func(tx *Tx) error {
		v = &view{Tx: tx, memo: run}
		var err error
		effects, err = decide(v)
		return err
	})
	return v, effects, err
}

// decidePostgres decides, and runs the decision again from the start when
// it lost a deadlock or serialisation race.
func (db *DB) decidePostgres(ctx context.Context, decide decideFunc) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if err = db.decideOnce(ctx, decide); !isRetryable(err) {
			break
		}
		select {
		case <-ctx.Done():
			return db.mapError(ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		}
	}
	return db.mapError(err)
}

// decideOnce decides on one connection and applies the effects. A refusal
// decided without a transaction goes to the refusal batcher, and a first
// check-in to the start batcher (start_postgres.go), once the connection is
// free again. A first check-in that cannot be batched, or that the batcher
// finds stale, is decided again with every member read under lock.
func (db *DB) decideOnce(ctx context.Context, decide decideFunc) error {
	for optimistic := true; ; optimistic = false {
		w, err := db.decideOnConn(ctx, decide, optimistic)
		switch {
		case errors.Is(err, errMemberChanged) && optimistic:
			continue
		case err != nil || w == nil:
			return err
		case w.refusal != nil:
			return db.writeRefusal(w.refusal)
		}
		err = db.starts.submit(&job{ctx: ctx, start: w.start})
		if !errors.Is(err, errMemberChanged) {
			return err
		}
	}
}

// pending is what a decision leaves to a batcher.
type pending struct {
	refusal *refusal
	start   *startJob
}

func (db *DB) decideOnConn(ctx context.Context, decide decideFunc, optimistic bool) (_ *pending, err error) {
	conn, err := db.connPostgres(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	pg := &pgConn{conn: conn, optimistic: optimistic}
	defer func() {
		if pg.tx != nil && err != nil {
			_ = pg.tx.Rollback()
		}
	}()
	v := &view{Tx: db.newTx(ctx, conn), pg: pg}
	effects, err := decide(v)
	if err != nil {
		return nil, err
	}
	if s, ok := batchable(pg, effects); ok {
		return &pending{start: s}, nil
	}
	switch {
	case pg.tx == nil && len(effects) == 0:
		return nil, nil
	case pg.tx == nil && checkin.OnlyRefusal(effects):
		return &pending{refusal: refusalOf(ctx, effects)}, nil
	case len(pg.unlocked) > 0:
		return nil, errMemberChanged // what it used unlocked must be read under lock
	}
	if err := v.begin(); err != nil {
		return nil, err
	}
	if err := v.apply(effects); err != nil {
		return nil, err
	}
	if err := v.flushEvents(); err != nil {
		return nil, err
	}
	if err := pg.tx.Commit(); err != nil {
		return nil, err
	}
	if v.settingsChanged {
		db.cache.forgetAll()
	}
	return nil, nil
}

// PersonByEmail reads a user for a password check.
func (db *DB) PersonByEmail(ctx context.Context, email string) (*checkin.Person, error) {
	var p *checkin.Person
	err := db.readOne(ctx, func(tx *Tx) error {
		var err error
		p, err = (&view{Tx: tx}).PersonByEmail(email)
		return err
	})
	return p, err
}
