package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/radiusd"
	"github.com/checkin-oss/checkin/sqlstore"
)

// startRADIUS serves RADIUS on the addresses configured, with the engine
// and metrics registry of the HTTP layer; it returns nil when neither is set.
func startRADIUS(ctx context.Context, db *sqlstore.DB, api *httpapi.Server, cfg config, log *slog.Logger) (*radiusd.Server, error) {
	metrics := radiusd.NewMetrics(api.Metrics.Registry) // at 0 even when off: the docs list them
	if cfg.radiusAuthAddr == "" && cfg.radiusAcctAddr == "" {
		return nil, nil
	}
	srv := &radiusd.Server{Store: db, Engine: api.CheckIn, Locations: db.Businesses(), Settings: db,
		Clock: checkin.SystemClock{}, Log: log, Metrics: metrics}
	var conns []net.PacketConn
	listen := func(addr, name string) (net.PacketConn, error) {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			for _, c := range conns {
				c.Close()
			}
			return nil, fmt.Errorf("--%s: %w", name, err)
		}
		conns = append(conns, c)
		log.Info("radius listening", "addr", c.LocalAddr().String(), "port", name)
		return c, nil
	}
	var auth, acct net.PacketConn
	var err error
	if cfg.radiusAuthAddr != "" {
		if auth, err = listen(cfg.radiusAuthAddr, "radius-auth-addr"); err != nil {
			return nil, err
		}
	}
	if cfg.radiusAcctAddr != "" {
		if acct, err = listen(cfg.radiusAcctAddr, "radius-acct-addr"); err != nil {
			return nil, err
		}
	}
	if err := srv.Start(ctx); err != nil {
		for _, c := range conns {
			c.Close()
		}
		return nil, err
	}
	if auth != nil {
		srv.ServeAuth(auth)
	}
	if acct != nil {
		srv.ServeAcct(acct)
	}
	return srv, nil
}
