package sqlstore

import (
	"fmt"
	"time"

	"github.com/checkin-oss/checkin"
)

// apply makes a decision's effects, in order, in tx. Each check-in,
// check-out and FailedCheckin appends its event to tx, stored with it.
func (tx *Tx) apply(effects []checkin.Effect) error {
	for _, e := range effects {
		if err := tx.applyOne(e); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) applyOne(e checkin.Effect) error {
	switch e := e.(type) {
	case checkin.StartCheckin:
		return tx.startCheckin(e.Checkin, e.TokenID)
	case checkin.TouchCheckin:
		_, err := tx.Exec("UPDATE checkins SET last_activity = ?, mac_addresses = ?, updated_on = ? WHERE id = ?",
			tx.now, checkin.StringPtr(e.MACs), tx.now, e.ID)
		return err
	case checkin.CloseCheckin:
		return tx.closeCheckin(e.ID, e.BusinessID, e.At, e.Auto)
	case checkin.AddDevice:
		tx.holdCredential('d', e.MAC)
		_, err := tx.Exec("INSERT INTO user_devices (user_id, mac, created_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", e.UserID, e.MAC, tx.now)
		return err
	case checkin.SignUp:
		return tx.signUp(e)
	case checkin.EnableUniquePincodes:
		return tx.enableUniquePincodes(e.NetworkID)
	case checkin.CreateVisitorToken:
		return tx.createVisitorToken(e.Visitor, e.Token)
	case checkin.AddTokenDevice:
		tx.holdCredential('t', e.MAC)
		_, err := tx.Exec("INSERT INTO token_devices (token_id, mac, created_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", e.Token.ID, e.MAC, tx.now)
		return err
	case checkin.StartTokenSession:
		_, err := tx.Exec("UPDATE access_tokens SET running = TRUE, last_access = ?, updated_on = ? WHERE id = ? AND NOT running",
			checkin.NewTime(e.At), tx.now, e.Token.ID)
		return err
	case checkin.StopTokenSession:
		_, err := tx.stopTokenSession(e.Token, e.MinutesLeft, e.At)
		return err
	case checkin.RecordFailedCheckin:
		if err := tx.snapshotFailed(e.FailedCheckin); err != nil {
			return err
		}
		return tx.addFailedCheckin(e.FailedCheckin)
	case checkin.CountFailures:
		return tx.addThrottleFailures(e.Failures)
	}
	return fmt.Errorf("sqlstore: no way to apply the effect %T", e)
}

// startCheckin opens a check-in, recording the member's name, teams and
// plan as they are now; tokenID names the access token of a token session.
func (tx *Tx) startCheckin(c *checkin.Checkin, tokenID *int64) error {
	query, args, err := tx.startQuery(c, tokenID)
	if err != nil {
		return err
	}
	recs, err := tx.db.checkins.changeStored(tx, query, args...)
	if err != nil {
		return err
	}
	return tx.started(c, recs)
}

// startQuery is startCheckin's INSERT of c, without its RETURNING.
func (tx *Tx) startQuery(c *checkin.Checkin, tokenID *int64) (string, []any, error) {
	b, err := tx.business(c.BusinessID)
	if err != nil {
		return "", nil, err
	}
	c.BusinessName = &b.Name
	var cols []string
	var vals []any
	if tokenID != nil {
		cols, vals = []string{"access_token_id"}, []any{*tokenID}
	}
	var snapshot []computedColumn
	if c.CoworkerID != nil {
		snapshot = snapshotColumns(*c.CoworkerID)
	}
	return tx.db.checkins.insertQuery(tx, c, cols, vals, snapshot...)
}

// started sets c to the check-in its INSERT read back, and appends its event.
func (tx *Tx) started(c *checkin.Checkin, recs []*checkin.Checkin) error {
	if err := tx.db.checkins.storedOne(c, recs); err != nil {
		return err
	}
	return tx.appendEvent(checkin.EventCheckin, c.BusinessID, c)
}

// closeCheckin ends a check-in of a location that has not ended, with its
// event.
func (tx *Tx) closeCheckin(id, businessID int64, at time.Time, auto bool) error {
	b, err := tx.business(businessID)
	if err != nil {
		return err
	}
	closed, err := tx.db.checkins.changeStored(tx, "UPDATE checkins SET to_time = ?, to_time_local = ?, auto_checkout = ?, updated_on = ? WHERE id = ? AND to_time IS NULL",
		checkin.NewTime(at), checkin.NewLocalTime(at, b.Location()), auto, tx.now, id)
	if err != nil {
		return err
	}
	return tx.checkoutEvents(closed)
}

// signUp registers a user as a member of a location (MembersSignUp) and
// fills in e.Member.
func (tx *Tx) signUp(e checkin.SignUp) error {
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email = e.BusinessID, e.Person.FullName, e.Person.Email
	if c.FullName == "" {
		c.FullName = e.Person.Email
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := tx.db.coworkers.insert(tx, c); err != nil {
		return err
	}
	ms, err := (&view{Tx: tx}).members(memberSelect+" WHERE c.id = ?", c.ID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return fmt.Errorf("sqlstore: the member signed up (coworker %d) cannot be read back", c.ID)
	}
	*e.Member = ms[0]
	return nil
}

// enableUniquePincodes turns Security.GenerateUniquePincode on at every
// location of a network.
func (tx *Tx) enableUniquePincodes(networkID int64) error {
	rows, err := tx.Query("SELECT id FROM businesses WHERE network_id = ?", networkID)
	if err != nil {
		return err
	}
	var businesses []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		businesses = append(businesses, id)
	}
	rows.Close()
	for _, id := range businesses {
		if err := setSetting(tx, id, checkin.SettingGenerateUniquePincode, "True"); err != nil {
			return err
		}
	}
	tx.settingsChanged = true
	return nil
}

// createVisitorToken creates the token of a visitor's code on its first
// use and reads it into t; two first uses at once create one token.
func (tx *Tx) createVisitorToken(v *checkin.Visitor, t *checkin.Token) error {
	_, err := tx.Exec(`INSERT INTO access_tokens (unique_id, created_on, updated_on, business_id, access_code, description,
		minutes_included, minutes_left, valid_from, valid_to, visitor_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		checkin.NewUUID(), tx.now, tx.now, t.BusinessID, t.Code, t.Description, t.MinutesLeft, t.MinutesLeft,
		checkin.NewTime(*t.ValidFrom), checkin.NewTime(*t.ValidTo), v.ID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE visitors SET checked_in_at = ? WHERE id = ? AND checked_in_at IS NULL", tx.now, v.ID); err != nil {
		return err
	}
	stored, err := scanToken(tx, tokenSelect+" WHERE t.visitor_id = ?", v.ID)
	if err != nil {
		return err
	}
	if stored == nil {
		return fmt.Errorf("sqlstore: visitor %d's token cannot be read back", v.ID)
	}
	*t = *stored
	return nil
}

// stopTokenSession ends a running session that started at t.LastAccess,
// leaving minutesLeft, and closes its check-in at a time. It reports false
// if the session had already ended: its minutes are spent once however
// many race to end it.
func (tx *Tx) stopTokenSession(t *checkin.Token, minutesLeft int64, at time.Time) (bool, error) {
	if t.LastAccess == nil {
		return false, nil
	}
	res, err := tx.Exec("UPDATE access_tokens SET running = FALSE, minutes_left = ?, updated_on = ? WHERE id = ? AND running AND last_access = ?",
		max(0, minutesLeft), tx.now, t.ID, checkin.NewTime(*t.LastAccess))
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	var id int64
	err = tx.QueryRow("SELECT id FROM checkins WHERE access_token_id = ? AND to_time IS NULL", t.ID).Scan(&id)
	if err != nil {
		_, err = one(&id, err)
		return true, err
	}
	return true, tx.closeCheckin(id, t.BusinessID, at, false)
}

// snapshotFailed records on a FailedCheckin that names a member their
// teams and plan as they are now.
func (tx *Tx) snapshotFailed(f *checkin.FailedCheckin) error {
	if f.CoworkerID == nil {
		return nil
	}
	snap, err := snapshotCoworker(tx, *f.CoworkerID)
	f.TeamsAtTheTimeOfCheckin, f.TariffAtTheTimeOfCheckin = snap.teams, snap.tariff
	return err
}
