package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/checkin-oss/checkin"
)

// Occupancy returns the open check-ins of a location, oldest first.
func (db *DB) Occupancy(ctx context.Context, businessID int64) (*checkin.Occupancy, error) {
	o := &checkin.Occupancy{BusinessID: businessID, Members: []checkin.OccupancyEntry{}}
	err := db.read(ctx, func(tx *Tx) error {
		var one int
		err := tx.QueryRow("SELECT 1 FROM businesses WHERE id = ?", businessID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return checkin.Errorf(checkin.ENOTFOUND, "Business %d was not found.", businessID)
		} else if err != nil {
			return err
		}
		// business_day IS NOT NULL: see migration 0061 (postgres).
		rows, err := tx.Query(`SELECT coworker_id, coworker_full_name, from_time, source FROM checkins
			WHERE business_id = ? AND to_time IS NULL AND business_day IS NOT NULL ORDER BY from_time, id`, businessID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m checkin.OccupancyEntry
			if err := rows.Scan(&m.CoworkerID, &m.FullName, &m.FromTime, &m.Source); err != nil {
				return err
			}
			o.Members = append(o.Members, m)
		}
		return rows.Err()
	})
	o.CheckedIn = len(o.Members)
	return o, err
}

// CheckedIn returns the number of open check-ins of every location, by
// its WebAddress.
func (db *DB) CheckedIn(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	err := db.readOne(ctx, func(tx *Tx) error {
		// business_day IS NOT NULL: see migration 0061 (postgres).
		rows, err := tx.Query(`SELECT b.web_address, count(c.id) FROM businesses b
			LEFT JOIN checkins c ON c.business_id = b.id AND c.to_time IS NULL AND c.business_day IS NOT NULL GROUP BY b.web_address`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var addr string
			var n int
			if err := rows.Scan(&addr, &n); err != nil {
				return err
			}
			out[addr] = n
		}
		return rows.Err()
	})
	return out, err
}

// EventSeq returns the Seq of the event with that id, if it is kept.
func (db *DB) EventSeq(ctx context.Context, id string) (int64, bool, error) {
	var seq int64
	err := db.readOne(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT seq FROM events WHERE id = ?", id).Scan(&seq)
	})
	if checkin.ErrorCode(err) == checkin.ENOTFOUND || errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return seq, err == nil, err
}

// EventCursor returns a Seq from which EventsAfter returns every event
// stored from now on: the last Seq stored, or on PostgreSQL, if lower,
// the Seq below which every transaction has ended.
func (db *DB) EventCursor(ctx context.Context) (int64, error) {
	query := "SELECT COALESCE(MAX(seq), 0) FROM events"
	if db.dialect == postgresDialect {
		query = "SELECT LEAST(COALESCE(MAX(seq), 0), (pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 20) - 1) FROM events"
	}
	var seq int64
	err := db.readOne(ctx, func(tx *Tx) error { return tx.QueryRow(query).Scan(&seq) })
	return seq, err
}
