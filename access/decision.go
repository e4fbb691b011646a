package access

import (
	"fmt"
	"net/http"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/throttle"
)

// decision is one request being decided, inside its transaction.
type decision struct {
	loc  *checkin.Business
	req  checkin.CheckinRequest
	plan plan

	// set before the transaction, for the password method
	person         *checkin.Person
	passwordFailed bool

	view      checkin.DecisionView
	effects   []checkin.Effect // what the decision changes, in order
	now       time.Time
	settings  checkin.Settings
	method    Method // the plan's, or MethodMACToken when the MAC's token is used
	source    int64
	newDevice bool           // the password method's MAC is new to the member: register it
	token     *checkin.Token // the access token a token check-in used

	throttle *throttle.Verdict // the throttle's check, whose keys a refusal counts against
}

// begin prepares the decision to run on a view. The store may run a
// decision more than once (on a view read again under lock), so everything
// it learns from a view is set here afresh.
func (d *decision) begin(v checkin.DecisionView) {
	d.view, d.now, d.effects = v, v.Now(), nil
	if d.req.Disconnect && !d.req.At.IsZero() && d.req.At.Before(d.now) {
		d.now = d.req.At
	}
	d.method, d.source, d.newDevice, d.token = d.plan.method, d.plan.method.Source(), false, nil
	if d.req.Source != 0 {
		d.source = d.req.Source
	}
}

// run decides, and returns the outcome and the effects that record it. A
// refusal keeps the effects of the steps before it (a stale check-in
// closed, a token's spent session settled) and adds its FailedCheckin and
// throttling failures. Any other error means the view could not be read.
func (d *decision) run() (Outcome, []checkin.Effect, error) {
	out, err := d.decide()
	if r, ok := asRefusal(err); ok {
		d.record(r)
		return Outcome{Status: http.StatusOK, Confirmation: checkin.Refusal(r.code, r.message), Method: d.method, Result: r.code, Identity: r.identity, Rule: r.description}, d.effects, nil
	}
	if err != nil {
		return Outcome{}, nil, err
	}
	out.Status, out.Method = http.StatusOK, d.method
	return out, d.effects, nil
}

// do adds an effect to the decision's.
func (d *decision) do(e checkin.Effect) { d.effects = append(d.effects, e) }

func (d *decision) decide() (Outcome, error) {
	var err error
	if d.settings, err = d.view.Settings(d.loc.ID); err != nil {
		return Outcome{}, err
	}
	if d.plan.code == checkin.CodeMACNotReceived {
		return Outcome{}, d.macNotReceived()
	}
	switch d.plan.method {
	case MethodDisconnect:
		return d.disconnect()
	case MethodToken:
		return d.tokenCheckin()
	}
	if d.plan.tryMACToken {
		if out, ok, err := d.macTokenCheckin(); ok || err != nil {
			return out, err
		}
	}
	m, err := d.member()
	if err != nil {
		return Outcome{}, err
	}
	return d.admit(m)
}

func (d *decision) macNotReceived() *refusal {
	r := refuse(checkin.CodeMACNotReceived, "")
	switch {
	case d.plan.rawMAC == "":
		r.description = fmt.Sprintf("No MAC address was sent; the %s method needs one.", d.method)
	case len(d.plan.rawMAC) < minMACLength:
		r.description = fmt.Sprintf("The MAC address sent is shorter than %d characters.", minMACLength)
	default:
		r.description = "The MAC address sent is not a MAC address such as AA:BB:CC:DD:EE:FF."
	}
	return r
}

// record writes the FailedCheckin of a refusal, with the member and their
// teams and plan when known, and counts the refusal against the throttle's
// keys.
func (d *decision) record(r *refusal) {
	d.recordFailedCheckin(r)
	if d.throttle != nil {
		d.do(checkin.CountFailures{Failures: d.throttle.Failures})
	}
}

func (d *decision) recordFailedCheckin(r *refusal) {
	f := &checkin.FailedCheckin{
		BusinessID:              d.loc.ID,
		BusinessName:            &d.loc.Name,
		CheckinAttemptTime:      checkin.NewTime(d.now),
		CheckinAttemptTimeLocal: checkin.LocalTimePtr(d.now, d.loc.Location()),
		Source:                  d.source,
		MacAddresses:            checkin.StringPtr(d.plan.mac),
		Description:             checkin.StringPtr(r.description),
		DoorID:                  d.doorID(),
	}
	if m := r.member; m != nil {
		f.CoworkerID, f.CoworkerFullName = &m.CoworkerID, &m.FullName
	}
	d.do(checkin.RecordFailedCheckin{FailedCheckin: f})
}

// sessionAnswer is the success answer: the session's end and the seconds
// left until it.
func (d *decision) sessionAnswer(m *checkin.Member, expires time.Time) checkin.Confirmation {
	when := expires.UTC().Format(checkin.CheckinTimeFormat)
	s := &checkin.Session{TunnelID: ptr(""), SessionExpire: when, SessionTimeOut: max(0, int64(expires.Sub(d.now).Seconds()))}
	if m != nil {
		s.FullName, s.CoworkerID, s.CheckedIn = &m.FullName, &m.CoworkerID, ptr(true)
	}
	return checkin.Confirmation{WasSuccessful: true, Message: when, Value: s}
}

// checkoutAnswer is the answer to a check-out: the session ended now.
func (d *decision) checkoutAnswer(fullName *string, coworkerID *int64) checkin.Confirmation {
	s := &checkin.Session{FullName: fullName, CoworkerID: coworkerID, CheckedIn: ptr(false),
		SessionExpire: d.now.UTC().Format(checkin.CheckinTimeFormat)}
	if coworkerID == nil {
		s.TunnelID = ptr("")
	}
	return checkin.Confirmation{WasSuccessful: true, Message: "OK", Value: s}
}

// doorID is the door that asks, for the records; nil when none.
func (d *decision) doorID() *int64 {
	if d.req.DoorID == 0 {
		return nil
	}
	return &d.req.DoorID
}

func ptr[T any](v T) *T { return &v }
