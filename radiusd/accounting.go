package radiusd

import (
	"context"
	"errors"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/throttle"
)

// accounting applies an Accounting-Request (RFC 2866). It returns nil once
// what the request changes is stored, even when it matches nothing, so
// that the client stops resending it; an error leaves it unanswered, and
// the client's retransmission is applied afresh. Every message is
// idempotent: sessions are keyed by client, Acct-Session-Id and device.
func (s *Server) accounting(ctx context.Context, c *client, p *radius.Packet) error {
	status := rfc2866.AcctStatusType_Get(p)
	switch status {
	case rfc2866.AcctStatusType_Value_AccountingOn, rfc2866.AcctStatusType_Value_AccountingOff:
		return s.clientRestarted(ctx, c, eventTime(p, s.Clock.Now()))
	}
	sess, ok := sessionOf(c, p)
	if !ok {
		return nil // no device: nothing to do
	}
	switch status {
	case rfc2866.AcctStatusType_Value_Start:
		return s.sessionStart(ctx, c, sess)
	case rfc2866.AcctStatusType_Value_InterimUpdate:
		return s.sessionInterim(ctx, c, sess)
	case rfc2866.AcctStatusType_Value_Stop:
		stored, err := s.Store.StopRadiusSession(ctx, sess, eventTime(p, s.Clock.Now()))
		if err != nil || !stored.CheckoutPending {
			return err
		}
		return s.checkOut(ctx, c, stored)
	}
	return nil
}

// eventTime is when an accounting event happened, as the client says:
// its Event-Timestamp (RFC 2869 §5.3), else the arrival less its
// Acct-Delay-Time (RFC 2866 §5.2), else now. The store takes it only when
// it is sane (checkin.RadiusStopTime).
func eventTime(p *radius.Packet, now time.Time) time.Time {
	if t, err := rfc2869.EventTimestamp_Lookup(p); err == nil {
		return t
	}
	if d, err := rfc2866.AcctDelayTime_Lookup(p); err == nil {
		return now.Add(-time.Duration(d) * time.Second)
	}
	return now
}

// sessionOf reads the session a request is about, and its holder from the
// Class of the Access-Accept, when the client brings it back.
func sessionOf(c *client, p *radius.Packet) (checkin.RadiusSession, bool) {
	id := strings.TrimSpace(rfc2866.AcctSessionID_GetString(p))
	userName := strings.TrimSpace(rfc2865.UserName_GetString(p))
	mac, ok := checkin.NormalizeMAC(strings.TrimSpace(rfc2865.CallingStationID_GetString(p)))
	if !ok {
		mac, ok = checkin.NormalizeMAC(userName)
	}
	if !ok || id == "" {
		return checkin.RadiusSession{}, false
	}
	s := checkin.RadiusSession{ClientID: c.ID, BusinessID: c.BusinessID, AcctSessionID: truncate(id, 253), MAC: mac, UserName: truncate(userName, 253)}
	s.CoworkerID, s.TokenID = parseClass(rfc2865.Class_GetString(p))
	return s, true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// sessionStart records the session as open, then checks the device in as
// the MAC method does (a member's device checks in, or its check-in is
// refreshed; a Wi-Fi code's device runs the code's clock) and records
// whose session it is. Recorded first, the session is counted by a Stop
// of another of the holder's sessions at the same moment (a device
// roaming between access points), which then does not check them out.
func (s *Server) sessionStart(ctx context.Context, c *client, sess checkin.RadiusSession) error {
	started, err := s.Store.StartRadiusSession(ctx, sess)
	if err != nil || !started {
		return err // not started: a Start after its Stop, the device has left already
	}
	return s.checkIn(ctx, c, sess)
}

// checkIn checks an open session's device in and records the session's
// holder, when the check-in names one it did not have.
func (s *Server) checkIn(ctx context.Context, c *client, sess checkin.RadiusSession) error {
	req := checkin.CheckinRequest{MAC: sess.MAC, Source: checkin.SourceNetworkActivity}
	if strings.Contains(sess.UserName, "@") {
		req.Email = sess.UserName
	}
	out, err := s.Engine.CheckInFrom(ctx, c.loc, req, throttle.Client{Trusted: true})
	if err != nil || out.Refused() {
		return err
	}
	holder := sess
	switch v := out.Confirmation.Value; {
	case out.TokenID != 0:
		holder.CoworkerID, holder.TokenID = 0, out.TokenID
	case v != nil && v.CoworkerID != nil:
		holder.CoworkerID, holder.TokenID = *v.CoworkerID, 0
	}
	if holder == sess {
		return nil
	}
	_, err = s.Store.StartRadiusSession(ctx, holder)
	return err
}

// sessionInterim refreshes an open session; one the server never saw
// started is started now. A session already stopped stays stopped.
func (s *Server) sessionInterim(ctx context.Context, c *client, sess checkin.RadiusSession) error {
	known, err := s.Store.TouchRadiusSession(ctx, sess)
	if err != nil {
		return err
	}
	if !known {
		return s.sessionStart(ctx, c, sess)
	}
	s.checkSoon() // a code whose minutes are used up is disconnected
	return nil
}

// checkOut applies a holder's last session at the location ending: a
// Wi-Fi code's session stops (its minutes since LastAccess subtracted), a
// member is checked out. Until the engine has stored that, the session
// stays CheckoutPending and the request unanswered: the client resends it,
// and the check-out is tried again.
func (s *Server) checkOut(ctx context.Context, c *client, sess checkin.RadiusSession) error {
	req := checkin.CheckinRequest{MAC: sess.MAC, Disconnect: true, Source: checkin.SourceNetworkActivity}
	if sess.StoppedOn != nil {
		req.At = *sess.StoppedOn
	}
	if _, err := s.Engine.CheckInFrom(ctx, c.loc, req, throttle.Client{Trusted: true}); err != nil {
		return err
	}
	if err := s.Store.RadiusCheckoutDone(ctx, sess.ID); err != nil {
		return err
	}
	// A session of the holder's that started while this one stopped (a
	// device roaming) and was checked in before this check-out: the holder
	// is still here, and is checked in again.
	other, found, err := s.Store.OtherRadiusSession(ctx, sess)
	if err != nil || !found {
		return err
	}
	return s.checkIn(ctx, c, other)
}

// clientRestarted applies Accounting-On or -Off: every session open
// through the client is stopped, and the holders whose last session it
// was are checked out (with those a resent On or Off left pending).
func (s *Server) clientRestarted(ctx context.Context, c *client, at time.Time) error {
	pending, err := s.Store.StopRadiusClientSessions(ctx, c.ID, at)
	if err != nil {
		return err
	}
	var errs []error
	for _, sess := range pending {
		errs = append(errs, s.checkOut(ctx, c, sess))
	}
	return errors.Join(errs...)
}
