package radiusd

import (
	"context"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
)

// client is a RADIUS client as the server uses it.
type client struct {
	checkin.RadiusClient
	prefix   netip.Prefix
	secret   []byte
	loc      *checkin.Business
	settings checkin.Settings
}

// clientTable holds the clients, reloaded from the database every
// refreshEvery: a change through the API applies within that time. An
// unknown source never causes a reload, so that spoofed packets cannot
// make the server read the database.
type clientTable struct {
	mu      sync.RWMutex
	clients []*client // longest prefix first
	byID    map[int64]*client
	loaded  time.Time
}

func (t *clientTable) lookup(addr netip.Addr) *client {
	addr = addr.Unmap()
	t.mu.RLock()
	defer t.mu.RUnlock()
	for _, c := range t.clients {
		if c.prefix.Contains(addr) {
			return c
		}
	}
	return nil
}

func (t *clientTable) byClientID(id int64) *client {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.byID[id]
}

// reload reads every client, its location and the location's settings.
func (s *Server) reloadClients(ctx context.Context) error {
	rows, err := s.Store.RadiusClientsWithSecrets(ctx)
	if err != nil {
		return err
	}
	locs := map[int64]*checkin.Business{}
	settings := map[int64]checkin.Settings{}
	var list []*client
	byID := map[int64]*client{}
	for _, rc := range rows {
		p, err := checkin.ParseClientAddress(rc.Address)
		if err != nil {
			continue
		}
		loc, ok := locs[rc.BusinessID]
		if !ok {
			if loc, err = s.Locations.Find(ctx, rc.BusinessID); err != nil {
				return err
			}
			view, err := s.Settings.ThrottleView(ctx, rc.BusinessID, nil)
			if err != nil {
				return err
			}
			locs[rc.BusinessID], settings[rc.BusinessID] = loc, view.Settings
		}
		c := &client{RadiusClient: rc, prefix: p, secret: []byte(rc.Secret), loc: loc, settings: settings[rc.BusinessID]}
		list = append(list, c)
		byID[rc.ID] = c
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].prefix.Bits() > list[j].prefix.Bits() })
	s.clients.mu.Lock()
	s.clients.clients, s.clients.byID, s.clients.loaded = list, byID, time.Now()
	s.clients.mu.Unlock()
	return nil
}

// keepClientsFresh reloads the clients until ctx ends.
func (s *Server) keepClientsFresh(ctx context.Context) {
	t := time.NewTicker(s.refreshEvery())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.reloadClients(ctx); err != nil && ctx.Err() == nil {
				s.log().Error("radius: reading the clients", "err", err)
			}
		}
	}
}
