package sqlstore

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
)

// How long, and how many, verified Basic credentials are remembered.
const (
	basicTTL     = time.Minute
	basicEntries = 10000
)

// basicCache remembers Basic credentials that were verified recently, so
// that a client sending them on every call does not pay a password hash per
// call. An entry is keyed by an HMAC of the email and password under a key
// made at start, never by the credentials themselves, and holds the user's
// password hash as it was when they were verified. It has one invalidation
// rule: an entry counts only while the user's stored hash is still that
// one. Everything else about the user (roles, IsAdmin, Businesses, whether
// they exist) is read from the database on every call, as for a bearer
// token, so a change is seen at once, by every instance.
type basicCache struct {
	key     [32]byte
	mu      sync.Mutex
	entries map[[32]byte]basicEntry
}

type basicEntry struct {
	userID int64
	hash   string
	until  time.Time
}

func newBasicCache() *basicCache {
	c := &basicCache{entries: map[[32]byte]basicEntry{}}
	_, _ = rand.Read(c.key[:]) // crypto/rand.Read never fails
	return c
}

func (c *basicCache) keyOf(email, password string) [32]byte {
	m := hmac.New(sha256.New, c.key[:])
	m.Write([]byte(checkin.NormalizeEmail(email)))
	m.Write([]byte{0})
	m.Write([]byte(password))
	var k [32]byte
	m.Sum(k[:0])
	return k
}

func (c *basicCache) get(k [32]byte, now time.Time) (basicEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if ok && !now.Before(e.until) {
		delete(c.entries, k)
		return e, false
	}
	return e, ok
}

func (c *basicCache) put(k [32]byte, e basicEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= basicEntries {
		clear(c.entries) // rare: the cost is one hash per client, once
	}
	c.entries[k] = e
}

func (c *basicCache) forget(k [32]byte) {
	c.mu.Lock()
	delete(c.entries, k)
	c.mu.Unlock()
}

// UserByRememberedPassword returns the user whose email and password were
// verified recently and whose password has not changed since; nil when
// they are not remembered. It costs no password hash.
func (db *DB) UserByRememberedPassword(ctx context.Context, email, password string) (*checkin.User, error) {
	k := db.basic.keyOf(email, password)
	e, ok := db.basic.get(k, db.Clock.Now())
	if !ok {
		return nil, nil
	}
	var user *checkin.User
	err := db.read(ctx, func(tx *Tx) error {
		same, err := tx.exists("SELECT 1 FROM users WHERE id = ? AND password_hash = ?", e.userID, e.hash)
		if err != nil || !same {
			return err
		}
		user, err = db.users.find(tx, e.userID, false)
		return err
	})
	if err != nil || user == nil {
		db.basic.forget(k)
		if checkin.ErrorCode(err) == checkin.ENOTFOUND {
			err = nil
		}
	}
	return user, err
}

// UserByPassword checks an email and password, as the password grant does,
// and returns the user; the credentials are then remembered for a minute.
func (db *DB) UserByPassword(ctx context.Context, email, password string) (*checkin.User, error) {
	userID, hash, err := db.verifyLogin(ctx, email, password)
	if err != nil {
		return nil, err
	}
	// The entry holds the hash just verified (or its upgrade, of the same
	// password): if the password changed meanwhile, it never matches.
	var user *checkin.User
	err = db.read(ctx, func(tx *Tx) error {
		var err error
		user, err = db.users.find(tx, userID, false)
		return err
	})
	if checkin.ErrorCode(err) == checkin.ENOTFOUND {
		return nil, errBadLogin // deleted meanwhile
	}
	if err != nil {
		return nil, err
	}
	db.basic.put(db.basic.keyOf(email, password), basicEntry{userID: userID, hash: hash, until: db.Clock.Now().Add(basicTTL)})
	return user, nil
}
