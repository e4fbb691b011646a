package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
)

// dispatchLock is the PostgreSQL advisory lock that lets one instance at a
// time dispatch events, so that deliveries are made in event order.
const dispatchLock = 7_242_015

// DispatchEvents makes the deliveries of the events not yet dispatched:
// one row per event and active webhook of its location and kind.
func (db *DB) DispatchEvents(ctx context.Context, limit int) (int, error) {
	var waiting bool
	err := db.readOne(ctx, func(tx *Tx) error {
		var err error
		waiting, err = tx.exists(eventsWaiting)
		return err
	})
	if err != nil || !waiting {
		return 0, err
	}
	var n int
	err = db.write(ctx, func(tx *Tx) error {
		var err error
		n, err = dispatch(tx, limit)
		return err
	})
	return n, err
}

// eventsWaiting finds whether any event waits to be dispatched. Without
// ORDER BY, PostgreSQL reads every event when events have no statistics
// yet, rather than the index of those waiting.
const eventsWaiting = "SELECT 1 FROM events WHERE NOT dispatched ORDER BY seq LIMIT 1"

type undispatched struct {
	seq, business int64
	action        checkin.WebhookAction
}

func dispatch(tx *Tx, limit int) (int, error) {
	if tx.db.dialect == postgresDialect {
		if _, err := tx.Exec("SELECT pg_advisory_xact_lock(?)", dispatchLock); err != nil {
			return 0, err
		}
	}
	rows, err := tx.Query("SELECT seq, business_id, kind FROM events WHERE NOT dispatched ORDER BY seq LIMIT ?", limit)
	if err != nil {
		return 0, err
	}
	var events []undispatched
	var seqs, businesses []int64
	for rows.Next() {
		var e undispatched
		var kind string
		if err := rows.Scan(&e.seq, &e.business, &kind); err != nil {
			rows.Close()
			return 0, err
		}
		e.action = checkin.ActionOf(kind)
		events, seqs, businesses = append(events, e), append(seqs, e.seq), append(businesses, e.business)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(events) == 0 {
		return 0, err
	}
	type subscription struct {
		business int64
		action   checkin.WebhookAction
	}
	hooks := map[subscription][]int64{}
	rows, err = tx.Query("SELECT id, business_id, action FROM webhooks WHERE active AND business_id IN "+marks(len(businesses)), ids(businesses)...)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		var s subscription
		if err := rows.Scan(&id, &s.business, &s.action); err != nil {
			rows.Close()
			return 0, err
		}
		hooks[s] = append(hooks[s], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var args []any
	for _, e := range events {
		for _, hook := range hooks[subscription{e.business, e.action}] {
			args = append(args, hook, e.seq)
		}
	}
	if len(args) > 0 {
		if _, err := tx.Exec("INSERT INTO webhook_deliveries (webhook_id, event_seq) VALUES "+rowsOf(2, len(args)/2)+
			" ON CONFLICT (webhook_id, event_seq) DO NOTHING", args...); err != nil {
			return 0, err
		}
	}
	_, err = tx.Exec("UPDATE events SET dispatched = TRUE WHERE seq IN "+marks(len(seqs)), ids(seqs)...)
	return len(events), err
}

// dueWebhooks are the active webhooks that no worker holds, that wait for
// no retry and that have a delivery waiting.
const dueWebhooks = `SELECT w.id FROM webhooks w WHERE w.active AND w.claimed_until < ? AND w.retry_at <= ?
	AND EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.delivered_on IS NULL)`

// ClaimDeliveries holds up to limit due webhooks for this worker and
// returns the first waiting delivery of each. On PostgreSQL the webhooks
// are locked with SKIP LOCKED, so that instances claiming at once take
// different ones; the lease then keeps them this worker's without a
// transaction held open while it delivers.
func (db *DB) ClaimDeliveries(ctx context.Context, lease time.Duration, limit int) ([]*checkin.Delivery, error) {
	var due bool
	err := db.readOne(ctx, func(tx *Tx) error {
		var err error
		now := micros(tx.now)
		due, err = tx.exists(dueWebhooks+" LIMIT 1", now, now)
		return err
	})
	if err != nil || !due {
		return nil, err
	}
	var out []*checkin.Delivery
	err = db.write(ctx, func(tx *Tx) error {
		out = nil
		now := micros(tx.now)
		var hooks []int64
		err := queryIDs(tx, dueWebhooks+" ORDER BY w.claimed_until, w.id LIMIT ?"+tx.skipLocked(), &hooks, now, now, limit)
		if err != nil || len(hooks) == 0 {
			return err
		}
		token := checkin.NewUUID()
		if _, err := tx.Exec("UPDATE webhooks SET claimed_until = ?, claim_token = ? WHERE id IN "+marks(len(hooks)),
			append([]any{micros(tx.now.Add(lease)), token}, ids(hooks)...)...); err != nil {
			return err
		}
		for _, hook := range hooks {
			d, err := nextDelivery(tx, hook, token)
			if err != nil {
				return err
			}
			if d != nil {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// nextDelivery returns the webhook's first waiting delivery, or nil.
func nextDelivery(tx *Tx, webhook int64, token string) (*checkin.Delivery, error) {
	d := &checkin.Delivery{WebhookID: webhook, Lease: token}
	var record string
	err := tx.QueryRow(`SELECT d.id, d.attempts, e.seq, e.id, e.kind, e.occurred_on, e.business_id, e.record, w.url, w.name, w.secret, w.error_count
		FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq JOIN webhooks w ON w.id = d.webhook_id
		WHERE d.webhook_id = ? AND d.delivered_on IS NULL AND w.active ORDER BY d.event_seq LIMIT 1`, webhook).
		Scan(&d.ID, &d.Attempts, &d.Event.Seq, &d.Event.ID, &d.Event.Kind, &d.Event.Time, &d.Event.BusinessID, &record,
			&d.WebhookURL, &d.WebhookName, &d.Secret, &d.ErrorCount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	d.Event.Record = []byte(record)
	return d, err
}

// FinishDelivery records the result of an attempt at d, if this worker
// still holds its webhook.
func (db *DB) FinishDelivery(ctx context.Context, d *checkin.Delivery, r checkin.DeliveryResult, lease time.Duration) (*checkin.Delivery, error) {
	var next *checkin.Delivery
	err := db.write(ctx, func(tx *Tx) error {
		next = nil
		if !r.Delivered {
			return recordFailure(tx, d, r)
		}
		res, err := tx.Exec("UPDATE webhooks SET last_trigger = ?, error_count = 0, claimed_until = ? WHERE id = ? AND claim_token = ?",
			tx.now, micros(tx.now.Add(lease)), d.WebhookID, d.Lease)
		if err != nil || !affected(res) {
			return err
		}
		if _, err := tx.Exec("UPDATE webhook_deliveries SET delivered_on = ?, attempts = attempts + 1 WHERE id = ?", tx.now, d.ID); err != nil {
			return err
		}
		if next, err = nextDelivery(tx, d.WebhookID, d.Lease); err != nil || next != nil {
			return err
		}
		return release(tx, d)
	})
	return next, err
}

func recordFailure(tx *Tx, d *checkin.Delivery, r checkin.DeliveryResult) error {
	res, err := tx.Exec(`UPDATE webhooks SET last_trigger = ?, last_error = ?, error_count = error_count + 1, retry_at = ?,
		active = CASE WHEN ? THEN FALSE ELSE active END, claimed_until = 0, claim_token = '' WHERE id = ? AND claim_token = ?`,
		tx.now, r.Error, micros(r.RetryAt), r.Disable, d.WebhookID, d.Lease)
	if err != nil || !affected(res) {
		return err
	}
	_, err = tx.Exec("UPDATE webhook_deliveries SET attempts = attempts + 1 WHERE id = ?", d.ID)
	return err
}

// ReleaseDelivery gives d's webhook back, untried.
func (db *DB) ReleaseDelivery(ctx context.Context, d *checkin.Delivery) error {
	return db.write(ctx, func(tx *Tx) error { return release(tx, d) })
}

func release(tx *Tx, d *checkin.Delivery) error {
	_, err := tx.Exec("UPDATE webhooks SET claimed_until = 0, claim_token = '' WHERE id = ? AND claim_token = ?", d.WebhookID, d.Lease)
	return err
}

// DeliveryBacklog counts what waits: deliveries to active webhooks, and
// events not yet dispatched.
func (db *DB) DeliveryBacklog(ctx context.Context) (int, error) {
	var n int
	err := db.readOne(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT (SELECT count(*) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
			WHERE d.delivered_on IS NULL AND w.active) + (SELECT count(*) FROM events WHERE NOT dispatched)`).Scan(&n)
	})
	return n, err
}

// expireBatch bounds the events one call of ExpireEvents deletes.
const expireBatch = 5000

// ExpireEvents deletes, at most expireBatch at a time, the events that
// happened more than keep ago and whose deliveries were all made more than
// keep ago; deliveries to switched-off webhooks of such events go too.
func (db *DB) ExpireEvents(ctx context.Context, keep time.Duration) (int, error) {
	var n int
	err := db.write(ctx, func(tx *Tx) error {
		before := tx.now.Add(-keep)
		if _, err := tx.Exec(`DELETE FROM webhook_deliveries WHERE delivered_on IS NULL
			AND webhook_id IN (SELECT id FROM webhooks WHERE NOT active)
			AND event_seq IN (SELECT seq FROM events WHERE occurred_on < ?)`, before); err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.occurred_on < ? AND e.dispatched
			AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq AND (d.delivered_on IS NULL OR d.delivered_on >= ?))
			ORDER BY e.seq LIMIT ?)`, before, before, expireBatch)
		if err != nil {
			return err
		}
		rows, _ := res.RowsAffected()
		n = int(rows)
		return nil
	})
	return n, err
}

// skipLocked locks the rows read, skipping those another transaction holds
// (PostgreSQL); SQLite's write transactions already run one at a time.
func (tx *Tx) skipLocked() string {
	if tx.db.dialect == postgresDialect {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func affected(res interface{ RowsAffected() (int64, error) }) bool {
	n, err := res.RowsAffected()
	return err == nil && n > 0
}
