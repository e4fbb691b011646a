package loadtest

import (
	"context"
	"net"
	"testing"

	"layeh.com/radius"

	"github.com/checkin-oss/checkin/radiusd"
)

// TestRadiusLoadChecksEveryAnswer: a server answering with the right
// secret is counted in accepts or rejects, one with another secret as
// invalid, and silence as unanswered.
func TestRadiusLoadChecksEveryAnswer(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		code   radius.Code
		silent bool
		want   func(r *RadiusResult) int64
	}{
		{"accept", "load-secret", radius.CodeAccessAccept, false, func(r *RadiusResult) int64 { return r.Accepts }},
		{"reject", "load-secret", radius.CodeAccessReject, false, func(r *RadiusResult) int64 { return r.Rejects }},
		{"wrong secret", "other-secret", radius.CodeAccessAccept, false, func(r *RadiusResult) int64 { return r.Invalid }},
		{"silence", "load-secret", 0, true, func(r *RadiusResult) int64 { return r.Unanswered }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			go func() {
				buf := make([]byte, 4096)
				for {
					n, from, err := conn.ReadFrom(buf)
					if err != nil {
						return
					}
					req, err := radius.Parse(buf[:n], []byte(tt.secret))
					if err != nil || tt.silent {
						continue
					}
					b, _ := radiusd.EncodeSigned(req.Response(tt.code))
					conn.WriteTo(b, from)
				}
			}()
			l := RadiusLoad{Addr: conn.LocalAddr().String(), Secret: []byte("load-secret"), MACs: []string{"02:00:00:00:00:01", "02:00:00:00:00:02"}, InFlight: 2}
			res, err := l.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.want(res); got != 2 {
				t.Errorf("counted %d of 2: %+v", got, res)
			}
		})
	}
}
