package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
)

// StopRadiusSession stops a session once, recording one never started,
// and says whether its holder is to be checked out.
func (db *DB) StopRadiusSession(ctx context.Context, s checkin.RadiusSession, at time.Time) (checkin.RadiusSession, error) {
	var stored checkin.RadiusSession
	err := db.write(ctx, func(tx *Tx) error {
		found, err := findRadiusSession(tx, s, &stored)
		if err != nil {
			return err
		}
		holder := s
		if found {
			holder = stored
		}
		if err := lockHolderSessions(tx, holder); err != nil {
			return err
		}
		stopped := false
		for try := 0; try < 2 && !stopped; try++ { // a second when the insert lost to a Start's
			found, err := findRadiusSession(tx, s, &stored)
			if err != nil {
				return err
			}
			if found && stored.StoppedOn != nil {
				break
			}
			if stopped, err = stopRadiusSession(tx, s, found, stored, at); err != nil {
				return err
			}
		}
		if stopped {
			if _, err := findRadiusSession(tx, s, &stored); err != nil {
				return err
			}
		} else if !stored.CheckoutPending {
			return nil
		}
		_, err = markCheckoutPending(tx, &stored)
		return err
	})
	return stored, err
}

// stopRadiusSession stops the stored session, or records s stopped when
// none is stored (so that a late Start does not open it); it reports
// whether this call stopped it.
func stopRadiusSession(tx *Tx, s checkin.RadiusSession, found bool, stored checkin.RadiusSession, at time.Time) (bool, error) {
	var res sql.Result
	if found {
		stop, err := stopTime(tx, stored, at)
		if err != nil {
			return false, err
		}
		res, err = tx.Exec("UPDATE radius_sessions SET stopped_on = ?, last_activity = ? WHERE id = ? AND stopped_on IS NULL", stop, stop, stored.ID)
		if err != nil {
			return false, err
		}
	} else {
		stop, err := stopTime(tx, s, at)
		if err != nil {
			return false, err
		}
		res, err = tx.Exec(`INSERT INTO radius_sessions (client_id, business_id, acct_session_id, mac, user_name, coworker_id, token_id, started_on, last_activity, stopped_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			s.ClientID, s.BusinessID, s.AcctSessionID, s.MAC, s.UserName, nullID(s.CoworkerID), nullID(s.TokenID), stop, stop, stop)
		if err != nil {
			return false, err
		}
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func findRadiusSession(tx *Tx, s checkin.RadiusSession, stored *checkin.RadiusSession) (bool, error) {
	err := scanRadiusSession(tx.QueryRow(`SELECT `+radiusSessionColumns+` FROM radius_sessions
		WHERE client_id = ? AND acct_session_id = ? AND mac = ?`, s.ClientID, s.AcctSessionID, s.MAC), stored)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// stopTime is when a session stopped: at, when RadiusStopTime finds it
// sane for the session (its start and last activity) and its holder's
// open check-in, else now.
func stopTime(tx *Tx, s checkin.RadiusSession, at time.Time) (time.Time, error) {
	floor := s.StartedOn
	if s.LastActivity.After(floor) {
		floor = s.LastActivity
	}
	from, err := holderCheckinStart(tx, s)
	if err != nil {
		return time.Time{}, err
	}
	if from.After(floor) {
		floor = from
	}
	return checkin.RadiusStopTime(at, floor, tx.now), nil
}

// holderCheckinStart is when the session's holder's open check-in at the
// location began; zero when none is open.
func holderCheckinStart(tx *Tx, s checkin.RadiusSession) (time.Time, error) {
	holder, id := "coworker_id", s.CoworkerID
	if id == 0 {
		holder, id = "access_token_id", s.TokenID
	}
	if id == 0 {
		return time.Time{}, nil
	}
	var from checkin.Time
	err := tx.QueryRow(`SELECT from_time FROM checkins WHERE business_id + 0 = ? AND to_time IS NULL AND `+holder+` = ?
		ORDER BY from_time DESC LIMIT 1`, s.BusinessID, id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return from.Time, err
}

// markCheckoutPending sets CheckoutPending on a stopped session when it is
// its holder's last at the location, and clears it otherwise: the holder
// is unknown, has another session open, or has checked in again since the
// session stopped (a pending check-out retried late). It returns the mark.
func markCheckoutPending(tx *Tx, s *checkin.RadiusSession) (bool, error) {
	_, others, err := otherOpenSession(tx, *s)
	if err != nil {
		return false, err
	}
	from, err := holderCheckinStart(tx, *s)
	if err != nil {
		return false, err
	}
	pending := !others && (s.CoworkerID != 0 || s.TokenID != 0) && !from.After(*s.StoppedOn)
	if pending != s.CheckoutPending {
		s.CheckoutPending = pending
		_, err = tx.Exec("UPDATE radius_sessions SET checkout_pending = ? WHERE id = ?", pending, s.ID)
	}
	return pending, err
}

// lockHolderSessions locks the sessions of s's holder at the location
// (on PostgreSQL; SQLite's writes run one at a time), so that two of their
// devices stopping at once count each other's stop: the second to commit
// sees the first stopped, and checks the holder out.
func lockHolderSessions(tx *Tx, s checkin.RadiusSession) error {
	if s.CoworkerID == 0 && s.TokenID == 0 {
		return nil
	}
	rows, err := tx.Query(`SELECT id FROM radius_sessions WHERE business_id = ? AND (coworker_id = ? OR token_id = ?)
		ORDER BY id`+tx.forUpdate(), s.BusinessID, s.CoworkerID, s.TokenID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() { // each row is locked as it is read
	}
	return rows.Err()
}

// otherOpenSession finds an open session at the location of the same
// holder: one recorded as theirs, or one of their devices' whose holder is
// not recorded yet (a Start records its session before its check-in says
// whose it is, so that a Stop at the same moment finds it).
func otherOpenSession(tx *Tx, s checkin.RadiusSession) (checkin.RadiusSession, bool, error) {
	var other checkin.RadiusSession
	if s.CoworkerID == 0 && s.TokenID == 0 {
		return other, false, nil
	}
	err := scanRadiusSession(tx.QueryRow(`SELECT `+radiusSessionColumns+` FROM radius_sessions r
		WHERE r.business_id = ? AND r.stopped_on IS NULL AND r.id <> ?
		AND (r.coworker_id = ? OR r.token_id = ?
			OR r.coworker_id IS NULL AND r.token_id IS NULL AND (
				r.mac IN (SELECT d.mac FROM user_devices d JOIN coworkers c ON c.user_id = d.user_id WHERE c.id = ?)
				OR r.mac IN (SELECT d.mac FROM token_devices d WHERE d.token_id = ?)))
		ORDER BY r.id LIMIT 1`,
		s.BusinessID, s.ID, s.CoworkerID, s.TokenID, s.CoworkerID, s.TokenID), &other)
	if errors.Is(err, sql.ErrNoRows) {
		return other, false, nil
	}
	return other, err == nil, err
}

// OtherRadiusSession returns an open session at the location of the
// holder of s, other than s.
func (db *DB) OtherRadiusSession(ctx context.Context, s checkin.RadiusSession) (checkin.RadiusSession, bool, error) {
	var other checkin.RadiusSession
	var found bool
	err := db.readOne(ctx, func(tx *Tx) error {
		var err error
		other, found, err = otherOpenSession(tx, s)
		return err
	})
	return other, found, err
}

// StopRadiusClientSessions stops every open session of a client and
// returns those whose holder is to be checked out, one per holder.
func (db *DB) StopRadiusClientSessions(ctx context.Context, clientID int64, at time.Time) ([]checkin.RadiusSession, error) {
	var out []checkin.RadiusSession
	err := db.write(ctx, func(tx *Tx) error {
		out = out[:0]
		open, err := clientSessions(tx, clientID, "stopped_on IS NULL")
		if err != nil {
			return err
		}
		for _, s := range open {
			if err := lockHolderSessions(tx, s); err != nil {
				return err
			}
			stop, err := stopTime(tx, s, at)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE radius_sessions SET stopped_on = ?, last_activity = ?,
					checkout_pending = (coworker_id IS NOT NULL OR token_id IS NOT NULL) WHERE id = ?`, stop, stop, s.ID); err != nil {
				return err
			}
		}
		pending, err := clientSessions(tx, clientID, "checkout_pending")
		if err != nil {
			return err
		}
		type holder struct{ coworker, token int64 }
		seen := map[holder]bool{}
		for _, s := range pending {
			h := holder{s.CoworkerID, s.TokenID}
			if seen[h] { // one check-out per holder
				if err := clearCheckoutPending(tx, s.ID); err != nil {
					return err
				}
				continue
			}
			mark, err := markCheckoutPending(tx, &s)
			if err != nil {
				return err
			}
			if mark {
				seen[h] = true
				out = append(out, s)
			}
		}
		return nil
	})
	return out, err
}

// clientSessions returns a client's sessions that where holds, by id.
func clientSessions(tx *Tx, clientID int64, where string) ([]checkin.RadiusSession, error) {
	rows, err := tx.Query(`SELECT `+radiusSessionColumns+` FROM radius_sessions WHERE client_id = ? AND `+where+` ORDER BY id`, clientID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.RadiusSession
	for rows.Next() {
		var s checkin.RadiusSession
		if err := scanRadiusSession(rows, &s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// RadiusCheckoutDone clears a session's CheckoutPending.
func (db *DB) RadiusCheckoutDone(ctx context.Context, sessionID int64) error {
	return db.write(ctx, func(tx *Tx) error { return clearCheckoutPending(tx, sessionID) })
}

func clearCheckoutPending(tx *Tx, sessionID int64) error {
	_, err := tx.Exec("UPDATE radius_sessions SET checkout_pending = FALSE WHERE id = ?", sessionID)
	return err
}
