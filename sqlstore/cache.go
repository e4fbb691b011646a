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

// kept is the store's one way of keeping rows read from the database, for
// the locations, their settings and the doors. A value is kept with the
// generation its read began in: a write through this store forgets what it
// changed and starts a new generation, so a read that raced the write is
// never kept. Where other processes write too, ttl bounds how long their
// changes go unseen. (The memo, memo.go, keeps the check-in's lookups by
// exact versions instead: they change at every check-in.)
type kept[K comparable, V any] struct {
	mu  sync.RWMutex // read-locked by get, on every check-in's path
	gen uint64
	ttl time.Duration // 0: until forgotten
	now func() time.Time
	m   map[K]keptValue[V]
}

type keptValue[V any] struct {
	v  V
	at time.Time
}

// keptRead is when a read began: the generation and the time.
type keptRead struct {
	gen uint64
	at  time.Time
}

func newKept[K comparable, V any](ttl time.Duration) *kept[K, V] {
	return &kept[K, V]{ttl: ttl, now: time.Now, m: map[K]keptValue[V]{}}
}

// get returns the value kept for k, unless it is older than ttl.
func (c *kept[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[k]
	if ok && c.ttl > 0 && c.now().Sub(e.at) >= c.ttl {
		ok = false
	}
	return e.v, ok
}

// reading is called before a read whose value may be kept by put.
func (c *kept[K, V]) reading() keptRead {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return keptRead{gen: c.gen, at: c.now()}
}

// put keeps v for k, unless something was forgotten since r began.
func (c *kept[K, V]) put(k K, v V, r keptRead) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.gen == c.gen {
		c.m[k] = keptValue[V]{v: v, at: r.at}
	}
}

// forget drops the values for which drop is true (all when drop is nil)
// and starts a new generation.
func (c *kept[K, V]) forget(drop func(K, V) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if drop == nil {
		clear(c.m)
		return
	}
	for k, e := range c.m {
		if drop(k, e.v) {
			delete(c.m, k)
		}
	}
}

// cache keeps what every check-in or door call reads and operators rarely
// change.
type cache struct {
	byAddress *kept[string, *checkin.Business] // locations by web address
	byID      *kept[int64, *checkin.Business]
	settings  *kept[int64, checkin.Settings] // by location id
	// doors by their key's hash: used only where this process is the
	// database's one writer (SQLite with the memo), kept until a write.
	doors *kept[string, checkin.Door]
}

func newCache() *cache {
	return &cache{
		byAddress: newKept[string, *checkin.Business](cacheTTL),
		byID:      newKept[int64, *checkin.Business](cacheTTL),
		settings:  newKept[int64, checkin.Settings](cacheTTL),
		doors:     newKept[string, checkin.Door](0),
	}
}

func (c *cache) forgetBusiness(id int64) {
	c.byAddress.forget(func(_ string, b *checkin.Business) bool { return b.ID == id })
	c.byID.forget(func(k int64, _ *checkin.Business) bool { return k == id })
	c.settings.forget(func(k int64, _ checkin.Settings) bool { return k == id })
}

func (c *cache) forgetSettings(businessID int64) {
	c.settings.forget(func(k int64, _ checkin.Settings) bool { return k == businessID })
}

// forgetAll forgets every location and setting, for changes that touch
// many locations.
func (c *cache) forgetAll() {
	c.byAddress.forget(nil)
	c.byID.forget(nil)
	c.settings.forget(nil)
}

// settings returns a location's typed settings, from the cache when kept.
func (tx *Tx) settings(businessID int64) (checkin.Settings, error) {
	c := tx.db.cache.settings
	if s, ok := c.get(businessID); ok {
		return s, nil
	}
	r := c.reading()
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
	c.put(businessID, s, r)
	return s, nil
}

// businessByAddress returns the location with that web address, or nil.
func (tx *Tx) businessByAddress(addr string) (*checkin.Business, error) {
	c := tx.db.cache.byAddress
	if b, ok := c.get(addr); ok {
		return b, nil
	}
	r := c.reading()
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
	c.put(addr, b, r)
	return b, nil
}

// business returns the location with that id, from the cache when kept.
func (tx *Tx) business(id int64) (*checkin.Business, error) {
	c := tx.db.cache.byID
	if b, ok := c.get(id); ok {
		return b, nil
	}
	r := c.reading()
	b, err := tx.db.businesses.find(tx, id, false)
	if err != nil {
		return nil, err
	}
	c.put(id, b, r)
	return b, nil
}

// BusinessByWebAddress returns the location with that web address, or nil.
func (db *DB) BusinessByWebAddress(ctx context.Context, addr string) (*checkin.Business, error) {
	addr = strings.ToLower(addr)
	if b, ok := db.cache.byAddress.get(addr); ok {
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
