package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/checkin-oss/checkin"
)

// On PostgreSQL, a member's first check-in is decided on the member as the
// card's (or pincode's, or email's) lookup read them, without a lock, and
// written by a few goroutines per instance together with the other first
// check-ins waiting: one transaction locks the batch's members (in id
// order, in one statement), reads them again, and opens the check-in of
// each member it finds as the decision read them. A member who changed
// meanwhile (a check-in of theirs committed first, their plan changed) is
// not written: that decision runs again, under lock, as any other. The
// batch's INSERTs go to PostgreSQL in one pipeline. So a burst of first
// check-ins costs a commit and a few round trips per batch rather than
// several each.

// startJob is a first check-in waiting for the batcher: the member as the
// decision read them, and the decision's one effect.
type startJob struct {
	read  readMember
	start checkin.StartCheckin
}

// errMemberChanged answers a first check-in that the batcher did not
// write, because the member changed since the decision read them or the
// batch failed before its COMMIT: nothing of it is stored, and it is
// decided again.
var errMemberChanged = errors.New("sqlstore: the member changed since the decision read them")

// startWriters is how many batches of first check-ins are written at once.
const startWriters = 3

type startBatcher struct {
	queue
	db *DB
}

func startStartBatcher(db *DB) *startBatcher {
	b := &startBatcher{queue: newQueue(), db: db}
	b.serve(startWriters, b.write)
	return b
}

// batchable returns the first check-in a decision may hand to the batcher:
// its one effect opens a check-in of the one member it read without a lock,
// at the member's own location, and it locked nothing.
func batchable(pg *pgConn, effects []checkin.Effect) (*startJob, bool) {
	if pg.tx != nil || len(pg.unlocked) != 1 || len(effects) != 1 {
		return nil, false
	}
	s, ok := effects[0].(checkin.StartCheckin)
	r := pg.unlocked[0]
	if !ok || s.TokenID != nil || s.Checkin.CoworkerID == nil || *s.Checkin.CoworkerID != r.member.CoworkerID ||
		s.Checkin.BusinessID != r.member.BusinessID {
		return nil, false
	}
	return &startJob{read: r, start: s}, true
}

// write writes a batch of first check-ins in one transaction. A job whose
// member changed is answered errMemberChanged; so is every job of a batch
// that failed before its COMMIT. A failed COMMIT is every job's error.
func (b *startBatcher) write(batch []*job) {
	taken := take(batch)
	if len(taken) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	written, err := b.startAll(ctx, taken)
	for i, j := range taken {
		switch {
		case err != nil:
			j.done <- jobResult{err: err}
		case written != nil && written[i]:
			j.done <- jobResult{}
		default:
			j.done <- jobResult{err: errMemberChanged}
		}
	}
}

// startAll runs the batch's transaction and returns which jobs it wrote
// (none when it failed before its COMMIT), or the error of a COMMIT that
// failed.
func (b *startBatcher) startAll(ctx context.Context, jobs []*job) ([]bool, error) {
	conn, err := b.db.rw.Conn(ctx)
	if err != nil {
		return nil, nil
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, nil
	}
	written, err := b.applyFresh(b.db.newTx(ctx, sqlTx), conn, jobs)
	if err != nil {
		_ = sqlTx.Rollback()
		return nil, nil
	}
	return written, sqlTx.Commit()
}

// applyFresh locks and reads the jobs' members again, and opens the
// check-in of each job whose member is as its decision read them (the
// first such job of each member), in one pipeline on conn, the
// transaction's connection; it returns which jobs it wrote.
func (b *startBatcher) applyFresh(tx *Tx, conn *sql.Conn, jobs []*job) ([]bool, error) {
	ids := make([]int64, 0, len(jobs))
	for _, j := range jobs {
		ids = append(ids, j.start.read.member.CoworkerID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	// checkin_lock_member (migration 0052) locks and reads each member, in
	// the order of ids, as a decision's first read of a member does.
	fresh := &view{Tx: tx}
	query := "SELECT m.* FROM unnest(?::bigint[]) AS x(id), LATERAL checkin_lock_member(x.id) AS m"
	if _, err := fresh.membersLocked(true, query, ids); err != nil {
		return nil, err
	}
	written := make([]bool, len(jobs))
	started := make(map[int64]bool, len(ids))
	batch := &pgx.Batch{}
	var checkins []*checkin.Checkin
	for i, j := range jobs {
		read := j.start.read
		id := read.member.CoworkerID
		now, ok := fresh.readOf(id)
		if !ok || started[id] || now.open != nil || !reflect.DeepEqual(now.member, read.member) {
			continue
		}
		started[id] = true
		by := *tx
		by.ctx = context.WithoutCancel(j.ctx) // its actor; the batch's transaction keeps its own deadline
		c := j.start.start.Checkin
		query, args, err := by.startQuery(c, j.start.start.TokenID)
		if err != nil {
			return nil, err
		}
		batch.Queue(tx.db.rebind(query+tx.db.checkins.returns), args...)
		checkins = append(checkins, c)
		written[i] = true
	}
	if err := insertPipelined(tx, conn, batch, checkins); err != nil {
		return nil, err
	}
	return written, tx.flushEvents()
}

// insertPipelined sends the batch's INSERTs of check-ins on conn at once,
// without waiting for each one's answer, and reads back each check-in
// as stored, with its event. database/sql has no pipeline, so this uses
// the pgx connection under it.
func insertPipelined(tx *Tx, conn *sql.Conn, batch *pgx.Batch, checkins []*checkin.Checkin) error {
	return conn.Raw(func(driverConn any) error {
		results := driverConn.(*stdlib.Conn).Conn().SendBatch(tx.ctx, batch)
		defer results.Close()
		for _, c := range checkins {
			rows, err := results.Query()
			if err != nil {
				return err
			}
			recs, err := tx.db.checkins.scanAll(rows, false)
			rows.Close()
			if err == nil {
				err = tx.db.checkins.finish(tx, recs, true)
			}
			if err == nil {
				err = tx.started(c, recs)
			}
			if err != nil {
				return err
			}
		}
		return results.Close()
	})
}
