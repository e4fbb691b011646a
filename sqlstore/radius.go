package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
)

func (db *DB) radiusClientHooks() hooks[checkin.RadiusClient] {
	return hooks[checkin.RadiusClient]{
		prepare: func(tx *Tx, c, old *checkin.RadiusClient) error {
			if old == nil && c.Secret == "" {
				return checkin.Invalid("Secret", nil, "is required")
			}
			return checkClientOverlap(tx, c)
		},
		extra: func(tx *Tx, c *checkin.RadiusClient) ([]string, []any, error) {
			if c.Secret == "" {
				return nil, nil, nil
			}
			return []string{"secret"}, []any{c.Secret}, nil
		},
		changed: func(c *checkin.RadiusClient) { c.Secret = "" },
	}
}

// checkClientOverlap refuses an Address that overlaps another client's: a
// packet's source must name one client.
func checkClientOverlap(tx *Tx, c *checkin.RadiusClient) error {
	mine, err := checkin.ParseClientAddress(c.Address)
	if err != nil {
		return err // validated already
	}
	rows, err := tx.Query("SELECT id, name, address FROM radius_clients WHERE id <> ?", c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, addr string
		if err := rows.Scan(&id, &name, &addr); err != nil {
			return err
		}
		if p, err := checkin.ParseClientAddress(addr); err == nil && p.Overlaps(mine) {
			return checkin.Invalid("Address", c.Address, "overlaps the address %s of RADIUS client %d (%s)", addr, id, name)
		}
	}
	return rows.Err()
}

// RadiusClients is the RadiusClient repository, for the admin API.
func (db *DB) RadiusClients() checkin.Repository[checkin.RadiusClient] { return db.radiusClients }

// RadiusClientsWithSecrets returns every client with its secret.
func (db *DB) RadiusClientsWithSecrets(ctx context.Context) ([]checkin.RadiusClient, error) {
	var out []checkin.RadiusClient
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT id, business_id, name, address, secret, require_message_authenticator, mac_password, coa_address
			FROM radius_clients ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		out = out[:0]
		for rows.Next() {
			var c checkin.RadiusClient
			if err := rows.Scan(&c.ID, &c.BusinessID, &c.Name, &c.Address, &c.Secret, &c.RequireMessageAuthenticator, &c.MacPassword, &c.CoaAddress); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

const radiusSessionColumns = `id, client_id, business_id, acct_session_id, mac, user_name,
	coalesce(coworker_id, 0), coalesce(token_id, 0), started_on, last_activity, stopped_on, checkout_pending`

func scanRadiusSession(r interface{ Scan(...any) error }, s *checkin.RadiusSession) error {
	var stopped sql.NullTime
	if err := r.Scan(&s.ID, &s.ClientID, &s.BusinessID, &s.AcctSessionID, &s.MAC, &s.UserName,
		&s.CoworkerID, &s.TokenID, &s.StartedOn, &s.LastActivity, &stopped, &s.CheckoutPending); err != nil {
		return err
	}
	if stopped.Valid {
		t := stopped.Time.UTC()
		s.StoppedOn = &t
	}
	s.StartedOn, s.LastActivity = s.StartedOn.UTC(), s.LastActivity.UTC()
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// StartRadiusSession records a session as open, or refreshes the one open.
func (db *DB) StartRadiusSession(ctx context.Context, s checkin.RadiusSession) (bool, error) {
	started := false
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`INSERT INTO radius_sessions (client_id, business_id, acct_session_id, mac, user_name, coworker_id, token_id, started_on, last_activity)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			s.ClientID, s.BusinessID, s.AcctSessionID, s.MAC, s.UserName, nullID(s.CoworkerID), nullID(s.TokenID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			started = true
			return nil
		}
		res, err = tx.Exec(`UPDATE radius_sessions SET last_activity = ?,
				coworker_id = coalesce(?, coworker_id), token_id = coalesce(?, token_id)
			WHERE client_id = ? AND acct_session_id = ? AND mac = ? AND stopped_on IS NULL`,
			tx.now, nullID(s.CoworkerID), nullID(s.TokenID), s.ClientID, s.AcctSessionID, s.MAC)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		started = n == 1
		return nil
	})
	return started, err
}

// TouchRadiusSession refreshes an open session and its holder's check-in,
// to the minute as a repeated check-in does.
func (db *DB) TouchRadiusSession(ctx context.Context, s checkin.RadiusSession) (bool, error) {
	known := false
	err := db.write(ctx, func(tx *Tx) error {
		var stored checkin.RadiusSession
		err := scanRadiusSession(tx.QueryRow(`SELECT `+radiusSessionColumns+` FROM radius_sessions
			WHERE client_id = ? AND acct_session_id = ? AND mac = ?`, s.ClientID, s.AcctSessionID, s.MAC), &stored)
		if errors.Is(err, sql.ErrNoRows) {
			known = false
			return nil
		}
		if err != nil {
			return err
		}
		known = true
		if stored.StoppedOn != nil || tx.now.Sub(stored.LastActivity) < time.Minute {
			return nil
		}
		if _, err := tx.Exec("UPDATE radius_sessions SET last_activity = ? WHERE id = ?", tx.now, stored.ID); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE checkins SET last_activity = ? WHERE business_id + 0 = ? AND to_time IS NULL
			AND (coworker_id = ? OR access_token_id = ?) AND (last_activity IS NULL OR last_activity < ?)`,
			tx.now, stored.BusinessID, stored.CoworkerID, stored.TokenID, tx.now.Add(-time.Minute))
		return err
	})
	return known, err
}

// RadiusSessionsToEnd returns the open sessions, not yet disconnected, that
// their holder's state no longer admits: a member inactive or deleted, their
// device removed, or no check-in of theirs open at the location (the daily
// cut-off or an administrator closed it); a token deleted, out of its
// validity window, or out of minutes.
func (db *DB) RadiusSessionsToEnd(ctx context.Context) ([]checkin.RadiusSessionEnd, error) {
	var out []checkin.RadiusSessionEnd
	err := db.read(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.Query(`SELECT s.id, s.client_id, s.business_id, s.acct_session_id, s.mac, s.user_name,
				coalesce(s.coworker_id, 0), coalesce(s.token_id, 0), s.started_on, s.last_activity, s.stopped_on,
				c.id IS NOT NULL, coalesce(c.active, FALSE),
				EXISTS (SELECT 1 FROM user_devices d WHERE d.user_id = c.user_id AND d.mac = s.mac),
				EXISTS (SELECT 1 FROM checkins k WHERE k.coworker_id = s.coworker_id AND k.business_id + 0 = s.business_id AND k.to_time IS NULL),
				t.id IS NOT NULL, coalesce(t.minutes_left, 0), coalesce(t.running, FALSE), t.last_access, t.valid_to
			FROM radius_sessions s
			LEFT JOIN coworkers c ON c.id = s.coworker_id
			LEFT JOIN access_tokens t ON t.id = s.token_id
			WHERE s.stopped_on IS NULL AND s.disconnect_sent_on IS NULL AND (s.coworker_id IS NOT NULL OR s.token_id IS NOT NULL)
			ORDER BY s.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e checkin.RadiusSessionEnd
			var st sessionState
			var stopped sql.NullTime
			s := &e.RadiusSession
			if err := rows.Scan(&s.ID, &s.ClientID, &s.BusinessID, &s.AcctSessionID, &s.MAC, &s.UserName,
				&s.CoworkerID, &s.TokenID, &s.StartedOn, &s.LastActivity, &stopped,
				&st.member, &st.active, &st.device, &st.checkedIn,
				&st.token, &st.minutesLeft, &st.running, &st.lastAccess, &st.validTo); err != nil {
				return err
			}
			if e.Reason = st.endReason(s, tx.now); e.Reason != "" {
				out = append(out, e)
			}
		}
		return rows.Err()
	})
	return out, err
}

// sessionState is what a session's holder is now.
type sessionState struct {
	member, active, device, checkedIn bool
	token, running                    bool
	minutesLeft                       int64
	lastAccess, validTo               sql.NullTime
}

// endReason says why a session must end, or "" when it may go on.
func (st sessionState) endReason(s *checkin.RadiusSession, now time.Time) string {
	if s.CoworkerID != 0 {
		switch {
		case !st.member:
			return "the member was deleted"
		case !st.active:
			return "the member was deactivated"
		case !st.device:
			return "the device was removed from the member"
		case !st.checkedIn:
			return "the check-in was closed"
		}
		return ""
	}
	if !st.token {
		return "the access token was deleted"
	}
	t := checkin.Token{MinutesLeft: st.minutesLeft, Running: st.running}
	if st.lastAccess.Valid {
		t.LastAccess = &st.lastAccess.Time
	}
	if st.validTo.Valid {
		t.ValidTo = &st.validTo.Time
	}
	switch {
	case t.ValidTo != nil && !now.Before(*t.ValidTo):
		return "the access token expired"
	case t.MinutesLeftAt(now) <= 0:
		return "the access token's minutes ran out"
	}
	return ""
}

// ClaimRadiusDisconnect marks a session as being disconnected, once.
func (db *DB) ClaimRadiusDisconnect(ctx context.Context, id int64) (bool, error) {
	claimed := false
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE radius_sessions SET disconnect_sent_on = ? WHERE id = ? AND disconnect_sent_on IS NULL AND stopped_on IS NULL", tx.now, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		claimed = n == 1
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return claimed, err
}
