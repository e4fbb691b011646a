package sqlstore

import (
	"context"

	"github.com/checkin-oss/checkin"
)

// StopRadiusSession stops a session once, recording one never started,
// and says whether its holder is to be checked out.
func (db *DB) StopRadiusSession(ctx context.Context, s checkin.RadiusSession) (checkin.RadiusSession, error) {
	var stored checkin.RadiusSession
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO radius_sessions (client_id, business_id, acct_session_id, mac, user_name, coworker_id, token_id, started_on, last_activity, stopped_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			s.ClientID, s.BusinessID, s.AcctSessionID, s.MAC, s.UserName, nullID(s.CoworkerID), nullID(s.TokenID), tx.now, tx.now, tx.now)
		if err != nil {
			return err
		}
		stopped, _ := res.RowsAffected()
		if stopped == 0 {
			res, err = tx.Exec(`UPDATE radius_sessions SET stopped_on = ?, last_activity = ?
				WHERE client_id = ? AND acct_session_id = ? AND mac = ? AND stopped_on IS NULL`,
				tx.now, tx.now, s.ClientID, s.AcctSessionID, s.MAC)
			if err != nil {
				return err
			}
			stopped, _ = res.RowsAffected()
		}
		err = scanRadiusSession(tx.QueryRow(`SELECT `+radiusSessionColumns+` FROM radius_sessions
			WHERE client_id = ? AND acct_session_id = ? AND mac = ?`, s.ClientID, s.AcctSessionID, s.MAC), &stored)
		if err != nil || stopped == 0 && !stored.CheckoutPending {
			return err
		}
		_, err = markCheckoutPending(tx, &stored)
		return err
	})
	return stored, err
}

// markCheckoutPending sets CheckoutPending on a stopped session when it is
// its holder's last at the location, and clears it otherwise (the holder
// has another session open, or is unknown). It returns the mark.
func markCheckoutPending(tx *Tx, s *checkin.RadiusSession) (bool, error) {
	others, err := othersOpen(tx, *s)
	if err != nil {
		return false, err
	}
	pending := others == 0 && (s.CoworkerID != 0 || s.TokenID != 0)
	if pending != s.CheckoutPending {
		s.CheckoutPending = pending
		_, err = tx.Exec("UPDATE radius_sessions SET checkout_pending = ? WHERE id = ?", pending, s.ID)
	}
	return pending, err
}

// othersOpen counts the open sessions at the location of the same holder.
func othersOpen(tx *Tx, s checkin.RadiusSession) (int, error) {
	if s.CoworkerID == 0 && s.TokenID == 0 {
		return 0, nil
	}
	var n int
	err := tx.QueryRow(`SELECT count(*) FROM radius_sessions WHERE business_id = ? AND stopped_on IS NULL AND id <> ?
		AND (coworker_id = ? OR token_id = ?)`, s.BusinessID, s.ID, s.CoworkerID, s.TokenID).Scan(&n)
	return n, err
}

// StopRadiusClientSessions stops every open session of a client and
// returns those whose holder is to be checked out, one per holder.
func (db *DB) StopRadiusClientSessions(ctx context.Context, clientID int64) ([]checkin.RadiusSession, error) {
	var out []checkin.RadiusSession
	err := db.write(ctx, func(tx *Tx) error {
		out = out[:0]
		if _, err := tx.Exec(`UPDATE radius_sessions SET stopped_on = ?,
				checkout_pending = (coworker_id IS NOT NULL OR token_id IS NOT NULL)
			WHERE client_id = ? AND stopped_on IS NULL`, tx.now, clientID); err != nil {
			return err
		}
		pending, err := clientCheckoutsPending(tx, clientID)
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

func clientCheckoutsPending(tx *Tx, clientID int64) ([]checkin.RadiusSession, error) {
	rows, err := tx.Query(`SELECT `+radiusSessionColumns+` FROM radius_sessions WHERE client_id = ? AND checkout_pending ORDER BY id`, clientID)
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
