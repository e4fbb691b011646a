package loadtest

import (
	"context"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"layeh.com/radius"
	"layeh.com/radius/rfc2865"

	"github.com/checkin-oss/checkin/radiusd"
)

// RadiusLoad sends MAC-authentication Access-Requests to one RADIUS server,
// as an access point does (User-Name and User-Password the MAC as
// aabbccddeeff, Calling-Station-Id AA-BB-CC-DD-EE-FF, Message-Authenticator),
// from InFlight sockets with one request in flight on each, and checks
// every answer: from the server, authentic, and an Access-Accept.
type RadiusLoad struct {
	Addr     string
	Secret   []byte
	MACs     []string // canonical, AA:BB:CC:DD:EE:FF
	InFlight int
	// Duration is how long to send; 0 sends each MAC once.
	Duration time.Duration
}

// RadiusResult is what a load measured.
type RadiusResult struct {
	Accepts    int64
	Rejects    int64 // Access-Reject: every MAC should be accepted
	Unanswered int64 // no answer within a second
	Invalid    int64 // an answer that fails its checks
	Elapsed    time.Duration
	Latency    Histogram
}

// PerSecond is the accepts per second.
func (r *RadiusResult) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Accepts) / r.Elapsed.Seconds()
}

// Run sends until the duration has passed (or every MAC once) or ctx ends.
func (l RadiusLoad) Run(ctx context.Context) (*RadiusResult, error) {
	res := &RadiusResult{}
	var next atomic.Int64
	deadline := time.Now().Add(l.Duration)
	var wg sync.WaitGroup
	errs := make(chan error, l.InFlight)
	start := time.Now()
	for range max(1, l.InFlight) {
		conn, err := net.Dial("udp", l.Addr)
		if err != nil {
			return nil, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			buf := make([]byte, radius.MaxPacketLength)
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if l.Duration == 0 && i >= int64(len(l.MACs)) || l.Duration > 0 && time.Now().After(deadline) {
					return
				}
				if err := l.one(conn, buf, l.MACs[i%int64(len(l.MACs))], res); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	select {
	case err := <-errs:
		return res, err
	default:
	}
	return res, ctx.Err()
}

// one sends one request and checks its answer.
func (l RadiusLoad) one(conn net.Conn, buf []byte, mac string, res *RadiusResult) error {
	p := radius.New(radius.CodeAccessRequest, l.Secret)
	hex := strings.ToLower(strings.ReplaceAll(mac, ":", ""))
	rfc2865.UserName_SetString(p, hex)
	rfc2865.UserPassword_SetString(p, hex)
	rfc2865.CallingStationID_SetString(p, strings.ReplaceAll(mac, ":", "-"))
	req, err := radiusd.EncodeSigned(p)
	if err != nil {
		return err
	}
	sent := time.Now()
	if _, err := conn.Write(req); err != nil {
		return err
	}
	conn.SetReadDeadline(sent.Add(time.Second))
	for {
		n, err := conn.Read(buf)
		if err != nil {
			atomic.AddInt64(&res.Unanswered, 1)
			return nil
		}
		b := buf[:n]
		if n < 20 || b[1] != req[1] {
			continue // a late answer to an earlier request
		}
		res.Latency.Record(time.Since(sent))
		present, valid := radiusd.CheckMessageAuthenticator(b, req[4:20], l.Secret)
		switch {
		case !radius.IsAuthenticResponse(b, req, l.Secret) || present && !valid:
			atomic.AddInt64(&res.Invalid, 1)
		case radius.Code(b[0]) == radius.CodeAccessAccept:
			atomic.AddInt64(&res.Accepts, 1)
		default:
			atomic.AddInt64(&res.Rejects, 1)
		}
		return nil
	}
}
