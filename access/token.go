package access

import (
	"fmt"
	"time"

	"github.com/checkin-oss/checkin"
)

// tokenCheckin is method 1: an access token, or an approved visitor's code,
// with the device's MAC.
func (d *decision) tokenCheckin() (Outcome, error) {
	code := trimmed(d.req.Token)
	t, err := d.tx.TokenByCode(d.loc.ID, code)
	if err != nil {
		return Outcome{}, err
	}
	if t == nil {
		if t, err = d.visitorToken(code); err != nil {
			return Outcome{}, err
		}
	}
	return d.useToken(t)
}

// visitorToken returns the token of a visitor's code once the host has
// approved the visit: PublicWebSite.Visitors.DefaultDuration minutes from the
// expected arrival (or from first use when none is set).
func (d *decision) visitorToken(code string) (*checkin.Token, error) {
	v, err := d.tx.VisitorByCode(d.loc.ID, code)
	if err != nil {
		return nil, err
	}
	if v == nil {
		r := refuse(checkin.CodeInvalidAccessToken, "No access token or visitor code of this location matches the code sent.")
		r.identity = d.plan.mac
		return nil, r
	}
	if !v.Approved() {
		status := "requested"
		if v.HostApprovalStatus == checkin.ApprovalRejected {
			status = "rejected"
		}
		r := refuse(checkin.CodeVisitorNotApproved, fmt.Sprintf("Visitor %s (Visitor %d): the host's approval is %s (HostApprovalStatus %d).", v.FullName, v.ID, status, v.HostApprovalStatus))
		r.identity = d.plan.mac
		return nil, r
	}
	minutes := int64(d.settings.VisitorDefaultDuration)
	from := d.now
	if v.ExpectedArrival != nil {
		from = v.ExpectedArrival.Time
	}
	return d.tx.VisitorToken(v, minutes, from, from.Add(time.Duration(minutes)*time.Minute))
}

// macTokenCheckin is method 2: the device's MAC has been used with an access
// token that still has minutes; the token with the most minutes left is
// used. It reports false when there is none, and the next method is tried.
func (d *decision) macTokenCheckin() (Outcome, bool, error) {
	tokens, err := d.tx.TokensByDevice(d.loc.ID, d.plan.mac)
	if err != nil {
		return Outcome{}, false, err
	}
	var best *checkin.Token
	for i := range tokens {
		t := &tokens[i]
		if t.ValidAt(d.now) && t.MinutesLeftAt(d.now) > 0 && (best == nil || t.MinutesLeftAt(d.now) > best.MinutesLeftAt(d.now)) {
			best = t
		}
	}
	if best == nil {
		return Outcome{}, false, nil
	}
	d.method, d.source = MethodMACToken, MethodMACToken.Source()
	out, err := d.useToken(best)
	return out, true, err
}

// useToken checks a session in with a token: the token must be within its
// validity window and have minutes left. The first device starts the
// token's clock; every device's MAC is recorded against the token.
func (d *decision) useToken(found *checkin.Token) (Outcome, error) {
	t, err := d.tx.LockToken(found.ID)
	if err != nil {
		return Outcome{}, err
	}
	if t == nil || !t.ValidAt(d.now) {
		r := refuse(checkin.CodeInvalidAccessToken, fmt.Sprintf("Access token %d is outside its validity window (ValidFrom %s, ValidTo %s).", found.ID, when(found.ValidFrom), when(found.ValidTo)))
		r.identity = d.plan.mac
		return Outcome{}, r
	}
	if t.MinutesLeftAt(d.now) <= 0 {
		if t.Running && !d.req.DoNotCheckIn { // the session ran out: settle it
			if _, err := d.tx.StopTokenSession(t, 0, t.SessionEnd(d.now)); err != nil {
				return Outcome{}, err
			}
		}
		r := refuse(checkin.CodeTokenDepleted, fmt.Sprintf("Access token %d has no minutes left.", t.ID))
		r.identity = d.plan.mac
		return Outcome{}, r
	}
	switch {
	case t.Running && d.req.Toggle:
		return d.stopToken(t)
	case d.req.DoNotCheckIn:
		return Outcome{Confirmation: d.sessionAnswer(nil, t.SessionEnd(d.now)), Result: "validated"}, nil
	}
	if err := d.tx.AddTokenDevice(t.ID, d.plan.mac); err != nil {
		return Outcome{}, err
	}
	if err := d.startOrTouchTokenSession(t); err != nil {
		return Outcome{}, err
	}
	return Outcome{Confirmation: d.sessionAnswer(nil, t.SessionEnd(d.now)), Result: "checked_in", TokenID: t.ID}, nil
}

func (d *decision) startOrTouchTokenSession(t *checkin.Token) error {
	if t.Running {
		open, err := d.tx.OpenTokenCheckin(t.ID)
		if err != nil || open == nil {
			return err
		}
		return d.touch(open)
	}
	if err := d.tx.StartTokenSession(t, d.now); err != nil {
		return err
	}
	t.Running, t.LastAccess = true, &d.now
	label := t.Description
	if label == "" {
		label = "Access token " + fmt.Sprint(t.ID)
	}
	c := &checkin.Checkin{
		BusinessID: d.loc.ID, Source: d.source, CoworkerFullName: &label,
		FromTime: checkin.NewTime(d.now), LastActivity: checkin.TimePtr(d.now),
		MacAddresses: checkin.StringPtr(d.plan.mac), FromTimeLocal: checkin.LocalTimePtr(d.now, d.loc.Location()),
	}
	return d.tx.StartCheckin(c, &t.ID)
}

// stopToken ends a token's running session: the minutes since its last
// access are subtracted, once.
func (d *decision) stopToken(t *checkin.Token) (Outcome, error) {
	if _, err := d.tx.StopTokenSession(t, t.MinutesLeftAt(d.now), d.now); err != nil {
		return Outcome{}, err
	}
	return Outcome{Confirmation: d.checkoutAnswer(nil, nil), Result: "checked_out"}, nil
}

func when(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}

// disconnect is method 8: the device left. If the MAC has been used with an
// access token, the token's running session stops and its minutes are
// subtracted; otherwise every open check-in here of the members whose device
// it is is closed.
func (d *decision) disconnect() (Outcome, error) {
	tokens, err := d.tx.TokensByDevice(d.loc.ID, d.plan.mac)
	if err != nil {
		return Outcome{}, err
	}
	if t := largestToken(tokens); t != nil {
		locked, err := d.tx.LockToken(t.ID)
		if err != nil {
			return Outcome{}, err
		}
		if locked != nil && locked.Running && !d.req.DoNotCheckIn {
			return d.stopToken(locked)
		}
		return Outcome{Confirmation: d.checkoutAnswer(nil, nil), Result: "checked_out"}, nil
	}
	persons, err := d.tx.PersonsByDevice(d.plan.mac)
	if err != nil {
		return Outcome{}, err
	}
	if len(persons) == 0 {
		r := noAccess("this device is not registered to any member", "Disconnect of device "+d.plan.mac+", which no member or access token has used.")
		r.identity = d.plan.mac
		return Outcome{}, r
	}
	name := persons[0].FullName
	var coworkerID *int64
	if !d.req.DoNotCheckIn {
		userIDs := make([]int64, len(persons))
		for i, p := range persons {
			userIDs[i] = p.ID
		}
		closed, err := d.tx.CloseMemberCheckins(userIDs, d.loc.ID, d.now)
		if err != nil {
			return Outcome{}, err
		}
		if len(closed) > 0 {
			name, coworkerID = closed[0].FullName, &closed[0].CoworkerID
		}
	}
	return Outcome{Confirmation: d.checkoutAnswer(&name, coworkerID), Result: "checked_out"}, nil
}

// largestToken is the token to disconnect: a running one before one at
// rest, then the one with the most minutes.
func largestToken(tokens []checkin.Token) *checkin.Token {
	var best *checkin.Token
	for i := range tokens {
		t := &tokens[i]
		if best == nil || t.Running && !best.Running || t.Running == best.Running && t.MinutesLeft > best.MinutesLeft {
			best = t
		}
	}
	return best
}
