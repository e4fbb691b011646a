package radiusd

import (
	"context"
	"net"
	"strings"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/rfc3576"

	"github.com/checkin-oss/checkin"
)

// checkSoon asks the loop that ends sessions to look now.
func (s *Server) checkSoon() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// endSessionsLoop looks for sessions that must end every CheckEvery, and
// when asked: a code out of minutes, a check-in closed by the daily
// cut-off or an administrator, a member deactivated, a device or a code
// deleted. The database says which; this loop does not need to be told
// by the code that changed them.
func (s *Server) endSessionsLoop(ctx context.Context) {
	t := time.NewTicker(orDefault(s.CheckEvery, 5*time.Second))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.kick:
		}
		if _, err := s.EndSessions(ctx); err != nil && ctx.Err() == nil {
			s.log().Error("radius: looking for sessions to end", "err", err)
		}
	}
}

// EndSessions sends a Disconnect-Request for each open session that must
// end and returns how many it started sending. Each session is claimed in
// the database first, so that with several instances one sends it.
func (s *Server) EndSessions(ctx context.Context) (int, error) {
	ends, err := s.Store.RadiusSessionsToEnd(ctx)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, e := range ends {
		c := s.clients.byClientID(e.ClientID)
		if c == nil {
			continue
		}
		claimed, err := s.Store.ClaimRadiusDisconnect(ctx, e.ID)
		if err != nil {
			return sent, err
		}
		addr := c.DisconnectAddress()
		if !claimed || addr == "" {
			continue
		}
		sent++
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.disconnect(s.ctx, c, addr, e)
		}()
	}
	return sent, nil
}

// disconnect sends one Disconnect-Request (RFC 5176), retried, and logs
// and counts its answer.
func (s *Server) disconnect(ctx context.Context, c *client, addr string, e checkin.RadiusSessionEnd) {
	p := radius.New(radius.CodeDisconnectRequest, c.secret)
	if e.UserName != "" {
		rfc2865.UserName_SetString(p, e.UserName)
	}
	rfc2865.CallingStationID_SetString(p, strings.ReplaceAll(e.MAC, ":", "-"))
	rfc2866.AcctSessionID_SetString(p, e.AcctSessionID)
	rfc2869.EventTimestamp_Set(p, s.Clock.Now())
	req, err := EncodeSigned(p)
	if err != nil {
		s.log().Error("radius: encoding a Disconnect-Request", "err", err)
		return
	}
	log := s.log().With("client", c.Name, "coa_address", addr, "mac", e.MAC, "acct_session_id", e.AcctSessionID, "reason", e.Reason)
	reply, err := s.exchange(ctx, addr, req, c.secret)
	switch {
	case err != nil:
		s.Metrics.Disconnects.WithLabelValues("timeout").Inc()
		log.Warn("radius: Disconnect-Request unanswered", "err", err)
	case reply.Code == radius.CodeDisconnectACK:
		s.Metrics.Disconnects.WithLabelValues("ack").Inc()
		log.Info("radius: session disconnected")
	default:
		s.Metrics.Disconnects.WithLabelValues("nak").Inc()
		log.Warn("radius: Disconnect-Request refused", "error_cause", rfc3576.ErrorCause_Get(reply).String())
	}
}

// exchange sends req to addr and waits for its authentic answer, sending
// it again every RetryEvery, Tries more times.
func (s *Server) exchange(ctx context.Context, addr string, req, secret []byte) (*radius.Packet, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	tries := s.Tries
	if tries <= 0 {
		tries = 3
	}
	wait := orDefault(s.RetryEvery, 2*time.Second)
	buf := make([]byte, radius.MaxPacketLength)
	for try := 0; try <= tries; try++ {
		if _, err := conn.Write(req); err != nil {
			return nil, err
		}
		deadline := time.Now().Add(wait)
		for {
			conn.SetReadDeadline(deadline)
			n, err := conn.Read(buf)
			if err != nil {
				break // the next try
			}
			b := buf[:n]
			if len(b) < 20 || b[1] != req[1] || !radius.IsAuthenticResponse(b, req, secret) {
				continue
			}
			if present, valid := CheckMessageAuthenticator(b, req[4:20], secret); present && !valid {
				continue
			}
			if reply, err := radius.Parse(b, secret); err == nil {
				return reply, nil
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return nil, errTimeout
}

type timeoutError struct{}

func (timeoutError) Error() string { return "no answer after every try" }

var errTimeout error = timeoutError{}
