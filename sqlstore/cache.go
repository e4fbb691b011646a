package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
)

// cacheTTL bounds how long another instance's change to a location or its
// settings can go unseen here. Changes made through this instance are seen
// at once: every write forgets what it changed.
const cacheTTL = time.Second

// cache keeps what every check-in reads and operators rarely change: the
// locations by web address and their settings.
type cache struct {
	mu         sync.RWMutex
	businesses map[string]cachedBusiness // by web address
	byID       map[int64]cachedBusiness
	settings   map[int64]cachedSettings // by business id
	now        func() time.Time
}

type cachedBusiness struct {
	b      *checkin.Business
	loaded time.Time
}

type cachedSettings struct {
	s      checkin.Settings
	loaded time.Time
}

func newCache() *cache {
	return &cache{businesses: map[string]cachedBusiness{}, byID: map[int64]cachedBusiness{}, settings: map[int64]cachedSettings{}, now: time.Now}
}

func (c *cache) fresh(loaded time.Time) bool { return c.now().Sub(loaded) < cacheTTL }

func (c *cache) forgetBusiness(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for addr, cb := range c.businesses {
		if cb.b.ID == id {
			delete(c.businesses, addr)
		}
	}
	delete(c.byID, id)
	delete(c.settings, id)
}

func (c *cache) forgetSettings(businessID int64) {
	c.mu.Lock()
	delete(c.settings, businessID)
	c.mu.Unlock()
}

// forgetAll empties the cache, for changes that touch many locations.
func (c *cache) forgetAll() {
	c.mu.Lock()
	c.businesses = map[string]cachedBusiness{}
	c.byID = map[int64]cachedBusiness{}
	c.settings = map[int64]cachedSettings{}
	c.mu.Unlock()
}

// businessByID returns the cached location with that id, if it is fresh.
func (c *cache) businessByID(id int64) (*checkin.Business, bool) {
	c.mu.RLock()
	cb, ok := c.byID[id]
	c.mu.RUnlock()
	if ok && c.fresh(cb.loaded) {
		return cb.b, true
	}
	return nil, false
}

// businessByAddress returns the cached location with that web address, if
// it is fresh.
func (c *cache) businessByAddress(addr string) (*checkin.Business, bool) {
	c.mu.RLock()
	cb, ok := c.businesses[addr]
	c.mu.RUnlock()
	if ok && c.fresh(cb.loaded) {
		return cb.b, true
	}
	return nil, false
}

// settings returns a location's typed settings, from the cache when fresh.
func (tx *Tx) settings(businessID int64) (checkin.Settings, error) {
	c := tx.db.cache
	c.mu.RLock()
	cs, ok := c.settings[businessID]
	c.mu.RUnlock()
	if ok && c.fresh(cs.loaded) {
		return cs.s, nil
	}
	loaded := c.now()
	values := map[string]string{}
	rows, err := tx.Query("SELECT canonical_name, value FROM business_settings WHERE business_id = ?", businessID)
	if err != nil {
		return checkin.Settings{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return checkin.Settings{}, err
		}
		values[name] = value
	}
	if err := rows.Err(); err != nil {
		return checkin.Settings{}, err
	}
	s := checkin.NewSettings(values)
	c.mu.Lock()
	c.settings[businessID] = cachedSettings{s: s, loaded: loaded}
	c.mu.Unlock()
	return s, nil
}

// businessByAddress returns the location with that web address, or nil.
func (tx *Tx) businessByAddress(addr string) (*checkin.Business, error) {
	c := tx.db.cache
	if b, ok := c.businessByAddress(addr); ok {
		return b, nil
	}
	loaded := c.now()
	var id int64
	err := tx.QueryRow("SELECT id FROM businesses WHERE web_address = ?", addr).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	b, err := tx.db.businesses.find(tx, id, false)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.businesses[addr] = cachedBusiness{b: b, loaded: loaded}
	c.mu.Unlock()
	return b, nil
}

// business returns the location with that id, from the cache when fresh.
func (tx *Tx) business(id int64) (*checkin.Business, error) {
	c := tx.db.cache
	c.mu.RLock()
	cb, ok := c.byID[id]
	c.mu.RUnlock()
	if ok && c.fresh(cb.loaded) {
		return cb.b, nil
	}
	loaded := c.now()
	b, err := tx.db.businesses.find(tx, id, false)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.byID[id] = cachedBusiness{b: b, loaded: loaded}
	c.mu.Unlock()
	return b, nil
}

// BusinessByWebAddress returns the location with that web address, or nil.
func (db *DB) BusinessByWebAddress(ctx context.Context, addr string) (*checkin.Business, error) {
	addr = strings.ToLower(addr)
	if b, ok := db.cache.businessByAddress(addr); ok {
		return b, nil
	}
	var b *checkin.Business
	err := db.readOne(ctx, func(tx *Tx) error {
		var err error
		b, err = tx.businessByAddress(addr)
		return err
	})
	return b, err
}
