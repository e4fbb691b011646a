package sqlstore

import (
	"strings"

	"github.com/checkin-oss/checkin"
)

// The access tokens a decision reads.

const tokenSelect = `SELECT t.id, t.business_id, t.access_code, t.description, t.minutes_left, t.valid_from, t.valid_to,
	t.last_access, t.running, t.visitor_id FROM access_tokens t`

func scanTokens(tx *Tx, query string, args ...any) ([]checkin.Token, error) {
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

func scanToken(tx *Tx, query string, args ...any) (*checkin.Token, error) {
	ts, err := scanTokens(tx, query, args...)
	if err != nil || len(ts) == 0 {
		return nil, err
	}
	return &ts[0], nil
}

func (v *view) TokenByCode(businessID int64, code string) (*checkin.Token, error) {
	return scanToken(v.Tx, tokenSelect+" WHERE t.business_id = ? AND lower(t.access_code) = ?", businessID, strings.ToLower(code))
}

func (v *view) TokensByDevice(businessID int64, mac string) ([]checkin.Token, error) {
	// A device with no token is kept too: that is what most members' devices are.
	// A MAC no token's device row holds has no token, with no query.
	return keptList(v, memoKey('t', businessID, mac), credKey('t', mac), true, func() ([]checkin.Token, error) {
		return scanTokens(v.Tx, tokenSelect+" JOIN token_devices d ON d.token_id = t.id WHERE t.business_id = ? AND d.mac = ? ORDER BY t.id", businessID, mac)
	})
}

// Token reads a token afresh; on PostgreSQL it begins the transaction and
// locks the token's row.
func (v *view) Token(id int64) (*checkin.Token, error) {
	if !v.locks() {
		return scanToken(v.Tx, tokenSelect+" WHERE t.id = ?", id)
	}
	if err := v.begin(); err != nil {
		return nil, err
	}
	return scanToken(v.Tx, tokenSelect+" WHERE t.id = ? FOR UPDATE", id)
}

func (v *view) HasTokenDevice(tokenID int64, mac string) (bool, error) {
	return v.exists("SELECT 1 FROM token_devices WHERE token_id = ? AND mac = ?", tokenID, mac)
}

func (v *view) VisitorByCode(businessID int64, code string) (*checkin.Visitor, error) {
	t := v.db.visitors
	vs, err := t.scan(v.Tx, t.selects+" WHERE t.business_id = ? AND lower(t.visitor_code) = ? AND t.visitor_code <> ''", businessID, strings.ToLower(code))
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	return vs[0], nil
}

func (v *view) VisitorToken(visitorID int64) (*checkin.Token, error) {
	return scanToken(v.Tx, tokenSelect+" WHERE t.visitor_id = ?", visitorID)
}
