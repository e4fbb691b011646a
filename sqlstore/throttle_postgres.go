package sqlstore

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// On PostgreSQL each instance keeps a key filter (keyfilter.go) of the
// throttling keys that have a row, as the memo does on SQLite, so that a
// check-in whose keys never failed reads no throttling state.
//
// Several instances share the table, so each tells the others which keys
// it counts: the transaction that counts failures sends their names with
// pg_notify, which PostgreSQL delivers at its COMMIT, and every instance's
// listener adds them to its filter. A purge sends an empty payload, and
// each listener reads the table again into a new filter.
//
// Until the listener has listened and read the table, and from the moment
// its connection is lost until it has done both again, there is no filter:
// every check reads the table, as without one. A key counted by another
// instance is seen here once its notification arrives, a moment after that
// instance's COMMIT: the same kind of lag as between two attempts checked
// at once, before either is counted.
//
// A key counted here is added at once, before the COMMIT, and also to
// local: a new filter read from the table takes in the keys added here
// since the read before it began, so that one whose transaction commits
// after the table is read is not dropped until its notification arrives.
type keyListener struct {
	db     *DB
	filter atomic.Pointer[keyFilter] // nil while not listening
	seed   maphash.Seed
	stop   context.CancelFunc
	done   chan struct{}
	// mu orders the adds of notifyKeys against the swap of a new filter.
	mu    sync.Mutex
	local *keyFilter // the keys added here since the last read began
	// connected counts the times the listener has listened and read the
	// table, for tests.
	connected atomic.Int64
}

// keysChannel prefixes the channel of a schema's throttling keys: schemas
// of one database (tests, load runs) do not hear each other.
const keysChannel = "checkin_throttle_keys:"

// listenerName is the listener's application_name in pg_stat_activity.
const listenerName = "checkin throttling keys"

// maxNotify bounds a notification's payload (PostgreSQL takes up to 8000 bytes).
const maxNotify = 7000

func startKeyListener(db *DB) *keyListener {
	ctx, cancel := context.WithCancel(context.Background())
	seed := maphash.MakeSeed()
	l := &keyListener{db: db, seed: seed, stop: cancel, done: make(chan struct{}), local: newKeyFilter(seed)}
	go l.run(ctx)
	return l
}

// run listens until stopped, connecting again after a pause when the
// connection is lost.
func (l *keyListener) run(ctx context.Context) {
	defer close(l.done)
	var wait time.Duration
	for {
		before := l.connected.Load()
		err := l.listen(ctx)
		l.filter.Store(nil)
		if ctx.Err() != nil {
			return
		}
		if l.connected.Load() > before {
			wait = 0 // it had listened: a new outage
		}
		if wait == 0 { // once per outage
			l.db.Log.Warn("throttling keys: not listening; every check reads the table until the listener is back", "err", err)
		}
		wait = min(max(2*wait, 100*time.Millisecond), 5*time.Second)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// listen connects, listens, reads the table into a filter and adds the
// keys each notification names, until the connection fails.
func (l *keyListener) listen(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(l.db.dsn)
	if err != nil {
		return err
	}
	cfg.RuntimeParams["application_name"] = listenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var channel string
	if err := conn.QueryRow(ctx, "SELECT $1::text || current_schema()", keysChannel).Scan(&channel); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return err
	}
	if err := l.reread(ctx, conn); err != nil {
		return err
	}
	l.connected.Add(1)
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Payload == "" { // a purge: the filter forgets the keys deleted
			if err := l.reread(ctx, conn); err != nil {
				return err
			}
			continue
		}
		f := l.filter.Load()
		for k := range strings.SplitSeq(n.Payload, "\n") {
			f.add(k)
		}
	}
}

// reread replaces the filter by one of the keys the table holds, and of
// the keys added here since the read before this one began. A key another
// instance commits after the query's snapshot is notified after it.
func (l *keyListener) reread(ctx context.Context, conn *pgx.Conn) error {
	l.mu.Lock()
	before := l.local
	l.local = newKeyFilter(l.seed)
	l.mu.Unlock()
	rows, err := conn.Query(ctx, "SELECT name FROM throttle_keys")
	if err != nil {
		return err
	}
	defer rows.Close()
	f, err := keyFilterFrom(rows, l.seed)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f.addAll(before)
	f.addAll(l.local)
	l.filter.Store(f)
	return nil
}

// close stops the listener and waits for it.
func (l *keyListener) close() {
	l.stop()
	<-l.done
}

// notifyKeys, in a PostgreSQL transaction that counts failures against
// keys, adds them to this instance's filter at once and has PostgreSQL
// tell every listener at the COMMIT. Keys are joined by newlines, which
// none holds (throttle keys are short: kinds, addresses and hashes).
func (tx *Tx) notifyKeys(keys []string) error {
	l := tx.db.keys
	if l == nil || len(keys) == 0 {
		return nil
	}
	l.mu.Lock()
	if f := l.filter.Load(); f != nil {
		for _, k := range keys {
			f.add(k) // before the COMMIT: the row is never there without its key
		}
	}
	for _, k := range keys {
		l.local.add(k)
	}
	l.mu.Unlock()
	for len(keys) > 0 {
		n, size := 0, 0
		for n < len(keys) && (n == 0 || size+1+len(keys[n]) <= maxNotify) {
			size += 1 + len(keys[n])
			n++
		}
		if err := tx.notify(strings.Join(keys[:n], "\n")); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// notifyPurge, in the transaction of a purge, has every listener read the
// table again at the COMMIT, so that their filters forget the keys purged.
func (tx *Tx) notifyPurge() error {
	if tx.db.keys == nil {
		return nil
	}
	return tx.notify("")
}

// notify sends a payload on the schema's channel of throttling keys.
func (tx *Tx) notify(payload string) error {
	_, err := tx.Exec("SELECT pg_notify(? || current_schema(), ?)", keysChannel, payload)
	return err
}
