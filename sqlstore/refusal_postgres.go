package sqlstore

import (
	"context"
	"time"
)

// On PostgreSQL, refusals are written by a few goroutines per instance:
// the refusals that arrive while a transaction commits are written together
// in the next, so that a burst of refusals costs a commit per batch rather
// than one each. A batch that fails is written again one refusal at a
// time, so that a refusal that cannot be stored fails alone.
type refusalBatcher struct {
	queue
	db *DB
}

// batchTimeout bounds one batch's transaction.
const batchTimeout = 5 * time.Second

// refusalWriters is how many batches are written at once: while one waits
// for its commit, the next is built and sent.
const refusalWriters = 3

func startRefusalBatcher(db *DB) *refusalBatcher {
	b := &refusalBatcher{queue: newQueue(), db: db}
	b.serve(refusalWriters, b.write)
	return b
}

func (b *refusalBatcher) write(batch []*job) {
	taken := take(batch)
	if len(taken) == 0 {
		return
	}
	rs := make([]*refusal, len(taken))
	for i, j := range taken {
		rs[i] = j.refusal
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	err := b.db.write(ctx, func(tx *Tx) error { return tx.addRefusals(rs) })
	if err != nil && len(taken) > 1 {
		for _, j := range taken {
			j.done <- jobResult{err: b.db.write(ctx, j.fn)}
		}
		return
	}
	for _, j := range taken {
		j.done <- jobResult{err: err}
	}
}
