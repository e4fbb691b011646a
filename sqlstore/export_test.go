package sqlstore

import (
	"context"

	"github.com/checkin-oss/checkin"
)

// For the tests of package sqlstore_test.

// WriteForTest runs fn in a write transaction, as the store's own writes run.
func (db *DB) WriteForTest(ctx context.Context, fn func(*Tx) error) error { return db.write(ctx, fn) }

// AddFailedCheckinForTest inserts f and appends its event.
func (tx *Tx) AddFailedCheckinForTest(f *checkin.FailedCheckin) error { return tx.addFailedCheckin(f) }

// FlushEventsForTest inserts the events appended so far.
func (tx *Tx) FlushEventsForTest() error { return tx.flushEvents() }

// WriteRefusalBatchForTest has PostgreSQL's refusal batcher write one
// refusal per FailedCheckin, all in one batch, and returns each result.
func (db *DB) WriteRefusalBatchForTest(ctx context.Context, failed []*checkin.FailedCheckin) []error {
	var jobs []*job
	for _, f := range failed {
		r := &refusal{ctx: ctx, failed: []*checkin.FailedCheckin{f}}
		add := func(tx *Tx) error { return tx.addRefusals([]*refusal{r}) }
		jobs = append(jobs, &job{ctx: ctx, fn: add, refusal: r, done: make(chan jobResult, 1)})
	}
	db.refusals.write(jobs)
	return answers(jobs)
}

// answers waits for each job's answer.
func answers(jobs []*job) []error {
	errs := make([]error, len(jobs))
	for i, j := range jobs {
		errs[i] = (<-j.done).err
	}
	return errs
}

// ErrMemberChangedForTest is the start batcher's answer to a first
// check-in it did not write.
var ErrMemberChangedForTest = errMemberChanged

// StartBatchForTest has PostgreSQL's start batcher write the first
// check-ins of starts in one batch, each decided on its member as read
// before change runs, and returns each result.
func (db *DB) StartBatchForTest(ctx context.Context, starts []checkin.StartCheckin, change func()) []error {
	var jobs []*job
	for _, s := range starts {
		v := &view{Tx: db.newTx(ctx, db.rw)}
		if _, err := v.members(memberSelect+" WHERE c.id = ?", *s.Checkin.CoworkerID); err != nil {
			panic(err)
		}
		r, _ := v.readOf(*s.Checkin.CoworkerID)
		jobs = append(jobs, &job{ctx: ctx, start: &startJob{read: r, start: s}, done: make(chan jobResult, 1)})
	}
	change()
	db.starts.write(jobs)
	return answers(jobs)
}

// EventsWaitingForTest is the dispatcher's probe for events waiting.
const EventsWaitingForTest = eventsWaiting

// MemberSelectForTest is how a decision reads members, with each one's
// open check-in.
const MemberSelectForTest = memberSelect

// ThrottleKeysListenedForTest is how many times PostgreSQL's key listener
// has listened and read the table, and whether it holds a filter now.
func (db *DB) ThrottleKeysListenedForTest() (times int64, listening bool) {
	return db.listener.connected.Load(), db.listener.keys.filter.Load() != nil
}

// ThrottleKeyHeldForTest reports whether the store's key filter may hold key.
func (db *DB) ThrottleKeyHeldForTest(key string) bool {
	f := db.throttleKeys()
	return f != nil && f.mayHold(key)
}

// ThrottleListenerNameForTest is the key listener's application_name.
const ThrottleListenerNameForTest = listenerName

// CredentialHeldForTest reports whether PostgreSQL's credential filter may
// hold cred (credKey: a kind and the value).
func (db *DB) CredentialHeldForTest(cred string) bool {
	f := db.listener.creds.filter.Load()
	return f != nil && f.mayHold(cred)
}
