// Package radiusd is the RADIUS server (RADIUS.md): Access-Request and
// Status-Server on the authentication port, Accounting-Request on the
// accounting port, and Disconnect-Requests to the clients. Packets are
// encoded and decoded by layeh.com/radius; every Access-Request is decided
// by the same engine as POST /api/public/checkin.
package radiusd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"layeh.com/radius"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
)

// Server answers RADIUS on the connections given to ServeAuth and
// ServeAcct. Set its fields, then call Start.
type Server struct {
	Store     checkin.RadiusStore
	Engine    *access.Service
	Locations checkin.Repository[checkin.Business]
	Settings  interface {
		ThrottleView(ctx context.Context, businessID int64, keys []string) (checkin.ThrottleView, error)
	}
	Clock   checkin.Clock // for Event-Timestamp
	Log     *slog.Logger
	Metrics *Metrics

	// RefreshEvery is how often the clients are read again (default 5 s).
	RefreshEvery time.Duration
	// CheckEvery is how often sessions that must end are looked for (default 5 s).
	CheckEvery time.Duration
	// RetryEvery and Tries govern Disconnect-Requests: sent, then retried
	// every RetryEvery (default 2 s) up to Tries more times (default 3).
	RetryEvery time.Duration
	Tries      int
	// Workers bounds the packets decided at once (default 256).
	Workers int

	clients clientTable
	cache   replyCache
	stop    context.CancelFunc
	ctx     context.Context
	wg      sync.WaitGroup // packets and disconnects in flight
	loops   sync.WaitGroup // read loops and background loops
	mu      sync.Mutex
	conns   []net.PacketConn
	kick    chan struct{}
}

func (s *Server) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Server) refreshEvery() time.Duration { return orDefault(s.RefreshEvery, 5*time.Second) }

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Start reads the clients and starts the background work: reloading the
// clients and ending the sessions that must end.
func (s *Server) Start(ctx context.Context) error {
	if s.Metrics == nil {
		s.Metrics = NewMetrics(nil)
	}
	if s.Clock == nil {
		s.Clock = checkin.SystemClock{}
	}
	s.kick = make(chan struct{}, 1)
	s.ctx, s.stop = context.WithCancel(context.WithoutCancel(ctx))
	if err := s.reloadClients(ctx); err != nil {
		return err
	}
	s.loops.Add(2)
	go func() { defer s.loops.Done(); s.keepClientsFresh(s.ctx) }()
	go func() { defer s.loops.Done(); s.endSessionsLoop(s.ctx) }()
	return nil
}

// ServeAuth answers Access-Request and Status-Server on conn until Shutdown.
func (s *Server) ServeAuth(conn net.PacketConn) { s.serve(conn, portAuth) }

// ServeAcct answers Accounting-Request and Status-Server on conn until Shutdown.
func (s *Server) ServeAcct(conn net.PacketConn) { s.serve(conn, portAcct) }

type port int

const (
	portAuth port = iota
	portAcct
)

func (s *Server) serve(conn net.PacketConn, p port) {
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.mu.Unlock()
	s.loops.Add(1)
	go func() {
		defer s.loops.Done()
		workers := make(chan struct{}, max(1, s.Workers, 256))
		buf := make([]byte, radius.MaxPacketLength)
		for {
			n, addr, err := conn.ReadFrom(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) || s.ctx.Err() != nil {
					return
				}
				continue
			}
			udp, ok := addr.(*net.UDPAddr)
			if !ok {
				continue
			}
			raw := append([]byte(nil), buf[:n]...) // a packet's own bytes, not a 4 KiB buffer each
			workers <- struct{}{}
			s.wg.Add(1)
			go func() {
				defer func() { <-workers; s.wg.Done() }()
				s.handle(conn, p, udp, raw)
			}()
		}
	}()
}

// Shutdown stops reading packets, lets those in flight be answered and the
// Disconnect-Requests in flight finish, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
	done := make(chan struct{})
	go func() { s.loops.Wait(); s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// handle answers one datagram, or drops it.
func (s *Server) handle(conn net.PacketConn, p port, from *net.UDPAddr, raw []byte) {
	start := time.Now()
	src := from.AddrPort()
	c := s.clients.lookup(src.Addr())
	if c == nil {
		s.drop("", "unknown_client", src.String())
		return
	}
	pkt, kind, reason := s.decode(c, p, raw)
	if reason != "" {
		s.drop(kind, reason, src.String())
		return
	}
	key := newCacheKey(src, pkt)
	cached, inFlight := s.cache.begin(key)
	switch {
	case cached != nil:
		conn.WriteTo(cached, from)
		return
	case inFlight:
		return // the first copy is being answered
	}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	reply, result, err := s.answer(ctx, c, p, kind, pkt)
	if err != nil {
		s.cache.forget(key)
		s.log().Error("radius: request not answered", "kind", kind, "client", c.Name, "err", err)
		s.drop(kind, "error", src.String())
		return
	}
	var b []byte
	if kind == "accounting" {
		b, err = reply.Encode()
	} else {
		b, err = EncodeSigned(reply)
	}
	if err != nil {
		s.cache.forget(key)
		s.log().Error("radius: encoding the answer", "kind", kind, "err", err)
		s.drop(kind, "error", src.String())
		return
	}
	s.cache.finish(key, b)
	conn.WriteTo(b, from)
	s.Metrics.Requests.WithLabelValues(kind, result).Inc()
	s.Metrics.Duration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
}

func (s *Server) drop(kind, reason, src string) {
	if kind == "" {
		kind = "unknown"
	}
	s.Metrics.Requests.WithLabelValues(kind, "dropped").Inc()
	s.Metrics.Dropped.WithLabelValues(reason).Inc()
	s.log().Debug("radius: packet dropped", "reason", reason, "source", src)
}

// decode checks a datagram from a known client: its code fits the port,
// it parses, and its authenticators are right. It returns the packet and
// its kind, or the reason it is dropped.
func (s *Server) decode(c *client, p port, raw []byte) (*radius.Packet, string, string) {
	if len(raw) < 20 {
		return nil, "", "malformed"
	}
	kind := ""
	switch code := radius.Code(raw[0]); {
	case code == radius.CodeStatusServer:
		kind = "status"
	case code == radius.CodeAccessRequest && p == portAuth:
		kind = "access"
	case code == radius.CodeAccountingRequest && p == portAcct:
		kind = "accounting"
	default:
		return nil, "", "unexpected_code"
	}
	pkt, err := radius.Parse(raw, c.secret)
	if err != nil {
		return nil, kind, "malformed"
	}
	present, valid := CheckMessageAuthenticator(raw, nil, c.secret)
	switch {
	case present && !valid:
		return nil, kind, "bad_message_authenticator"
	case kind == "accounting" && !radius.IsAuthenticRequest(raw, c.secret):
		return nil, kind, "bad_authenticator"
	case kind == "status" && !present: // RFC 5997 §3
		return nil, kind, "missing_message_authenticator"
	case kind == "access" && !present && c.RequireMessageAuthenticator:
		return nil, kind, "missing_message_authenticator"
	}
	return pkt, kind, ""
}

// answer decides a packet and returns its reply and the result counted.
func (s *Server) answer(ctx context.Context, c *client, p port, kind string, pkt *radius.Packet) (*radius.Packet, string, error) {
	switch kind {
	case "status": // RFC 5997 §3
		code := radius.CodeAccessAccept
		if p == portAcct {
			code = radius.CodeAccountingResponse
		}
		return pkt.Response(code), "accept", nil
	case "accounting":
		if err := s.accounting(ctx, c, pkt); err != nil {
			return nil, "", err
		}
		return pkt.Response(radius.CodeAccountingResponse), "response", nil
	}
	return s.access(ctx, c, pkt)
}
