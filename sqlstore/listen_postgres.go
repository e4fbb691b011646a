package sqlstore

import (
	"context"
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/jackc/pgx/v5"
)

// On PostgreSQL each instance keeps two key filters (keyfilter.go), as the
// memo does on SQLite: the throttling keys that have a row, so that a
// check-in whose keys never failed reads no throttling state; and the
// credentials (cards, pincodes, device MACs) that rows hold, so that a
// guess that no row holds is refused without a lookup.
//
// Several instances share the tables, so each hears what the others add:
// a transaction that counts failures sends the keys' names with pg_notify
// (throttle_postgres.go), and triggers on the credential tables send each
// credential written (migration 0062). PostgreSQL delivers them at the
// COMMIT, and every instance's listener adds them to its filters. An empty
// payload (a purge, or a credential too long to send) has each listener
// read that table again into a new filter.
//
// Until the listener has listened and read the tables, and from the moment
// its connection is lost until it has done all of it again, there are no
// filters: every lookup reads the database, as without them. A key or a
// credential added by another instance is seen here once its notification
// arrives, a moment after that instance's COMMIT: the same kind of lag as
// between two requests decided at once.
//
// What this instance adds goes into the filter at once, before the COMMIT,
// and also into local: a new filter read from a table takes in what was
// added here since the read before it began, so that a row whose
// transaction commits after the table is read is not missed until its
// notification arrives.
type keyListener struct {
	db    *DB
	keys  listened // throttling keys
	creds listened // credentials rows hold
	seed  maphash.Seed
	stop  context.CancelFunc
	done  chan struct{}
	// mu orders the adds here against the swap of a new filter.
	mu sync.Mutex
	// waiting are the callers of HearOthers, by their marker (under mu).
	waiting map[string]chan struct{}
	// connected counts the times the listener has listened and read the
	// tables, for tests.
	connected atomic.Int64
}

// listened is one filter of the listener, and the table it is read from.
type listened struct {
	channel string // the prefix of its channel, before the schema
	query   string // reads every key
	joined  bool   // a payload joins several keys by newlines (else it is one key, as a trigger sends)
	filter  atomic.Pointer[keyFilter]
	local   *keyFilter // what was added here since the last read began, under keyListener.mu
}

// The channels' prefixes: schemas of one database (tests, load runs) do not
// hear each other.
const (
	keysChannel  = "checkin_throttle_keys:"
	credsChannel = "checkin_credentials:"
)

// listenerName is the listener's application_name in pg_stat_activity.
const listenerName = "checkin key filters"

// notifyQuery sends a payload (?2) on a channel of the schema (?1, its prefix).
const notifyQuery = "SELECT pg_notify(? || current_schema(), ?)"

// maxNotify bounds a notification's payload (PostgreSQL takes up to 8000 bytes).
const maxNotify = 7000

func startKeyListener(db *DB) *keyListener {
	ctx, cancel := context.WithCancel(context.Background())
	seed := maphash.MakeSeed()
	l := &keyListener{db: db, seed: seed, stop: cancel, done: make(chan struct{}), waiting: map[string]chan struct{}{}}
	l.keys = listened{channel: keysChannel, query: "SELECT name FROM throttle_keys", joined: true, local: newKeyFilter(seed)}
	l.creds = listened{channel: credsChannel, query: credentialsQuery, local: newKeyFilter(seed)}
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
		l.keys.filter.Store(nil)
		l.creds.filter.Store(nil)
		if ctx.Err() != nil {
			return
		}
		if l.connected.Load() > before {
			wait = 0 // it had listened: a new outage
		}
		if wait == 0 { // once per outage
			l.db.Log.Warn("key filters: not listening; every lookup reads the database until the listener is back", "err", err)
		}
		wait = min(max(2*wait, 100*time.Millisecond), 5*time.Second)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// listen connects, listens, reads the tables into filters and adds what
// each notification names, until the connection fails.
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
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return err
	}
	by := map[string]*listened{}
	for _, f := range []*listened{&l.keys, &l.creds} {
		by[f.channel+schema] = f
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{f.channel + schema}.Sanitize()); err != nil {
			return err
		}
	}
	for _, f := range by {
		if err := l.reread(ctx, conn, f); err != nil {
			return err
		}
	}
	l.connected.Add(1)
	l.heard("") // what was committed before this connection is in the filters read
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		f := by[n.Channel]
		switch {
		case f == nil:
		case strings.HasPrefix(n.Payload, markerPrefix):
			l.heard(n.Payload)
		case n.Payload == "": // the filter forgets the keys deleted, or takes in one too long to send
			if err := l.reread(ctx, conn, f); err != nil {
				return err
			}
		case !f.joined: // a credential may hold any character
			f.filter.Load().add(n.Payload)
		default:
			filter := f.filter.Load()
			for k := range strings.SplitSeq(n.Payload, "\n") {
				filter.add(k)
			}
		}
	}
}

// reread replaces f's filter by one of the keys its table holds, and of
// the keys added here since the read before this one began. A key another
// instance commits after the query's snapshot is notified after it.
func (l *keyListener) reread(ctx context.Context, conn *pgx.Conn, f *listened) error {
	l.mu.Lock()
	before := f.local
	f.local = newKeyFilter(l.seed)
	l.mu.Unlock()
	rows, err := conn.Query(ctx, f.query)
	if err != nil {
		return err
	}
	defer rows.Close()
	filter, err := keyFilterFrom(rows, l.seed)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	filter.addAll(before)
	filter.addAll(f.local)
	f.filter.Store(filter)
	return nil
}

// add puts keys in f's filter at once, before the COMMIT of the
// transaction that writes their rows: a row is never there without its key.
func (l *keyListener) add(f *listened, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if filter := f.filter.Load(); filter != nil {
		for _, k := range keys {
			filter.add(k)
		}
	}
	for _, k := range keys {
		f.local.add(k)
	}
}

// markerPrefix begins the payload HearOthers sends; no credential kind is '#'.
const markerPrefix = "#"

// HearOthers returns once this instance has heard every credential and
// throttling key committed before the call, by any instance: it sends a
// marker after them and waits for it (notifications arrive in the order of
// their COMMITs), or for the listener to connect again and read the tables.
// On SQLite, which one instance writes, it returns at once. Tests call it
// before they use, on one instance, what they wrote on another.
func (db *DB) HearOthers(ctx context.Context) error {
	l := db.listener
	if l == nil {
		return nil
	}
	marker := markerPrefix + checkin.NewUUID()
	done := make(chan struct{})
	l.mu.Lock()
	l.waiting[marker] = done
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.waiting, marker)
		l.mu.Unlock()
	}()
	if l.creds.filter.Load() != nil { // else the next connection answers
		if _, err := db.rw.ExecContext(ctx, db.rebind(notifyQuery), credsChannel, marker); err != nil {
			return db.mapError(err)
		}
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return db.mapError(ctx.Err())
	}
}

// heard answers the caller of HearOthers that sent marker, or every caller
// when marker is "" (the tables were read).
func (l *keyListener) heard(marker string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for m, done := range l.waiting {
		if marker == "" || m == marker {
			close(done)
			delete(l.waiting, m)
		}
	}
}

// close stops the listener and waits for it.
func (l *keyListener) close() {
	l.stop()
	<-l.done
}

// holdCredential, in a transaction that writes a row holding a credential
// (credKey), adds it to this instance's filter at once; the table's
// trigger tells the other instances at the COMMIT. On SQLite the memo's
// hook does this (memo_changes.go).
func (tx *Tx) holdCredential(kind byte, values ...string) {
	if tx.db.listener == nil {
		return
	}
	keys := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			keys = append(keys, credKey(kind, v))
		}
	}
	tx.db.listener.add(&tx.db.listener.creds, keys...)
}
