package sqlstore

import (
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// Access tokens in decisions. A token's minutes are only ever changed by a
// conditional update on its running session, so one session's minutes are
// subtracted once however many instances race to end it.

const tokenSelect = `SELECT t.id, t.business_id, t.access_code, t.description, t.minutes_left, t.valid_from, t.valid_to,
	t.last_access, t.running, t.visitor_id FROM access_tokens t`

func (tx *decisionTx) tokens(query string, args ...any) ([]checkin.Token, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.Token
	for rows.Next() {
		var t checkin.Token
		var from, to, last *checkin.Time
		if err := rows.Scan(&t.ID, &t.BusinessID, &t.Code, &t.Description, &t.MinutesLeft, &from, &to, &last, &t.Running, &t.VisitorID); err != nil {
			return nil, err
		}
		t.ValidFrom, t.ValidTo, t.LastAccess = timePtr(from), timePtr(to), timePtr(last)
		out = append(out, t)
	}
	return out, rows.Err()
}

func (tx *decisionTx) token(query string, args ...any) (*checkin.Token, error) {
	ts, err := tx.tokens(query, args...)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return &ts[0], nil
}

func (tx *decisionTx) TokenByCode(businessID int64, code string) (*checkin.Token, error) {
	return tx.token(tokenSelect+" WHERE t.business_id = ? AND lower(t.access_code) = ?", businessID, strings.ToLower(code))
}

func (tx *decisionTx) TokensByDevice(businessID int64, mac string) ([]checkin.Token, error) {
	// A device with no token is kept too: that is what most members' devices are.
	// A MAC no device row holds has no token, with no query.
	return keptList(tx, memoKey('t', businessID, mac), credKey('d', mac), true, func() ([]checkin.Token, error) { return tx.tokensByDevice(businessID, mac) })
}

func (tx *decisionTx) tokensByDevice(businessID int64, mac string) ([]checkin.Token, error) {
	return tx.tokens(tokenSelect+" JOIN token_devices d ON d.token_id = t.id WHERE t.business_id = ? AND d.mac = ? ORDER BY t.id", businessID, mac)
}

func (tx *decisionTx) LockToken(id int64) (*checkin.Token, error) {
	if tx.snapshot {
		return tx.token(tokenSelect+" WHERE t.id = ?", id)
	}
	return tx.token(tokenSelect+" WHERE t.id = ?"+tx.forUpdate(), id)
}

func (tx *decisionTx) VisitorByCode(businessID int64, code string) (*checkin.Visitor, error) {
	t := tx.db.visitors
	vs, err := t.scan(tx.Tx, t.selects+" WHERE t.business_id = ? AND lower(t.visitor_code) = ? AND t.visitor_code <> ''", businessID, strings.ToLower(code))
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return vs[0], nil
}

// VisitorToken returns the token of a visitor's code, creating it on the
// code's first use (two first uses at once create one token).
func (tx *decisionTx) VisitorToken(v *checkin.Visitor, minutes int64, from, to time.Time) (*checkin.Token, error) {
	if t, err := tx.token(tokenSelect+" WHERE t.visitor_id = ?", v.ID); t != nil || err != nil {
		return t, err
	}
	if err := tx.write(); err != nil {
		return nil, err
	}
	_, err := tx.Exec(`INSERT INTO access_tokens (unique_id, created_on, updated_on, business_id, access_code, description,
		minutes_included, minutes_left, valid_from, valid_to, visitor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		checkin.NewUUID(), tx.now, tx.now, v.BusinessID, v.VisitorCode, "Visitor: "+v.FullName, minutes, minutes,
		checkin.NewTime(from), checkin.NewTime(to), v.ID)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec("UPDATE visitors SET checked_in_at = ? WHERE id = ? AND checked_in_at IS NULL", tx.now, v.ID); err != nil {
		return nil, err
	}
	return tx.token(tokenSelect+" WHERE t.visitor_id = ?", v.ID)
}

func (tx *decisionTx) AddTokenDevice(tokenID int64, mac string) error {
	if tx.snapshot {
		known, err := tx.exists("SELECT 1 FROM token_devices WHERE token_id = ? AND mac = ?", tokenID, mac)
		if err != nil || known {
			return err
		}
		return errNeedsWrite
	}
	_, err := tx.Exec("INSERT INTO token_devices (token_id, mac, created_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", tokenID, mac, tx.now)
	return err
}

func (tx *decisionTx) StartTokenSession(t *checkin.Token, at time.Time) error {
	if err := tx.write(); err != nil {
		return err
	}
	_, err := tx.Exec("UPDATE access_tokens SET running = TRUE, last_access = ?, updated_on = ? WHERE id = ? AND NOT running",
		checkin.NewTime(at), tx.now, t.ID)
	return err
}

func (tx *decisionTx) StopTokenSession(t *checkin.Token, minutesLeft int64, at time.Time) (bool, error) {
	if t.LastAccess == nil {
		return false, nil
	}
	if err := tx.write(); err != nil {
		return false, err
	}
	res, err := tx.Exec("UPDATE access_tokens SET running = FALSE, minutes_left = ?, updated_on = ? WHERE id = ? AND running AND last_access = ?",
		max(0, minutesLeft), tx.now, t.ID, checkin.NewTime(*t.LastAccess))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	open, err := tx.OpenTokenCheckin(t.ID)
	if err != nil || open == nil {
		return true, err
	}
	return true, tx.CloseCheckin(open.ID, at, false)
}
