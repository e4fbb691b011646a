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
	t, err := d.view.TokenByCode(d.loc.ID, code)
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
	v, err := d.view.VisitorByCode(d.loc.ID, code)
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
	if t, err := d.view.VisitorToken(v.ID); t != nil || err != nil {
		return t, err
	}
	minutes := int64(d.settings.VisitorDefaultDuration)
	from := d.now
	if v.ExpectedArrival != nil {
		from = v.ExpectedArrival.Time
	}
	to := from.Add(time.Duration(minutes) * time.Minute)
	t := &checkin.Token{BusinessID: v.BusinessID, Code: v.VisitorCode, Description: "Visitor: " + v.FullName,
		MinutesLeft: minutes, ValidFrom: &from, ValidTo: &to, VisitorID: &v.ID}
	d.do(checkin.CreateVisitorToken{Visitor: v, Token: t})
	return t, nil
}

// macTokenCheckin is method 2: the device's MAC has been used with an access
// token that still has minutes; the token with the most minutes left is
// used. It reports false when there is none, and the next method is tried.
func (d *decision) macTokenCheckin() (Outcome, bool, error) {
	tokens, err := d.view.TokensByDevice(d.loc.ID, d.plan.mac)
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
	t, err := d.freshToken(found)
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
			d.do(checkin.StopTokenSession{Token: t, MinutesLeft: 0, At: t.SessionEnd(d.now)})
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
	if err := d.addTokenDevice(t); err != nil {
		return Outcome{}, err
	}
	if err := d.startOrTouchTokenSession(t); err != nil {
		return Outcome{}, err
	}
	d.token = t
	return Outcome{Confirmation: d.sessionAnswer(nil, t.SessionEnd(d.now)), Result: "checked_in"}, nil
}

// freshToken reads the token afresh (under lock, its row is locked). A
// visitor's token being created needs no read.
func (d *decision) freshToken(found *checkin.Token) (*checkin.Token, error) {
	if found.ID == 0 {
		return found, nil
	}
	return d.view.Token(found.ID)
}

// addTokenDevice records the MAC against the token, unless it is there.
func (d *decision) addTokenDevice(t *checkin.Token) error {
	if t.ID != 0 {
		known, err := d.view.HasTokenDevice(t.ID, d.plan.mac)
		if err != nil || known {
			return err
		}
	}
	d.do(checkin.AddTokenDevice{Token: t, MAC: d.plan.mac})
	return nil
}

func (d *decision) startOrTouchTokenSession(t *checkin.Token) error {
	if t.Running {
		open, err := d.view.OpenTokenCheckin(t.ID)
		if err != nil || open == nil {
			return err
		}
		d.touch(open)
		return nil
	}
	d.do(checkin.StartTokenSession{Token: t, At: d.now})
	label := t.Description
	if label == "" {
		label = "Access token " + fmt.Sprint(t.ID)
	}
	c := &checkin.Checkin{
		BusinessID: d.loc.ID, Source: d.source, CoworkerFullName: &label,
		FromTime: checkin.NewTime(d.now), LastActivity: checkin.TimePtr(d.now),
		MacAddresses: checkin.StringPtr(d.plan.mac), FromTimeLocal: checkin.LocalTimePtr(d.now, d.loc.Location()),
	}
	d.do(checkin.StartCheckin{Checkin: c, TokenID: &t.ID})
	return nil
}

// stopToken ends a token's running session: the minutes since its last
// access are subtracted, once.
func (d *decision) stopToken(t *checkin.Token) (Outcome, error) {
	d.do(checkin.StopTokenSession{Token: t, MinutesLeft: t.MinutesLeftAt(d.now), At: d.now})
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
	tokens, err := d.view.TokensByDevice(d.loc.ID, d.plan.mac)
	if err != nil {
		return Outcome{}, err
	}
	if t := largestToken(tokens); t != nil {
		locked, err := d.view.Token(t.ID)
		if err != nil {
			return Outcome{}, err
		}
		if locked != nil && locked.Running && !d.req.DoNotCheckIn {
			return d.stopToken(locked)
		}
		return Outcome{Confirmation: d.checkoutAnswer(nil, nil), Result: "checked_out"}, nil
	}
	persons, err := d.view.PersonsByDevice(d.plan.mac)
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
		open, err := d.view.OpenCheckinsOf(userIDs, d.loc.ID)
		if err != nil {
			return Outcome{}, err
		}
		for _, c := range open {
			d.do(checkin.CloseCheckin{ID: c.ID, BusinessID: d.loc.ID, At: d.now})
		}
		if len(open) > 0 {
			name, coworkerID = open[0].FullName, &open[0].CoworkerID
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
