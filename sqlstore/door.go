package sqlstore

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
)

// doorKeyPrefix starts every door key, so that a key found in a log or a
// file is recognised for what it is.
const doorKeyPrefix = "door_"

// lastSeenResolution is how precisely a door's LastSeen is kept: a call
// within it of the last one written changes nothing, so that a busy door
// does not make every decision a write.
const lastSeenResolution = 30 * time.Second

// signingKeyOverlap is how long a retired signing key stays published.
const signingKeyOverlap = 24 * time.Hour

func (db *DB) doorHooks() hooks[checkin.Door] {
	return hooks[checkin.Door]{
		prepare: func(tx *Tx, d, old *checkin.Door) error {
			if old == nil {
				d.Key = doorKeyPrefix + secret.NewToken()
			}
			return nil
		},
		changed: func(*checkin.Door) { db.cache.doors.forget(nil) },
		extra: func(tx *Tx, d *checkin.Door) ([]string, []any, error) {
			if d.Key == "" { // a replace keeps the key
				return nil, nil, nil
			}
			return []string{"key_hash"}, []any{secret.HashToken(d.Key)}, nil
		},
	}
}

// Doors is the door entity's repository.
func (db *DB) Doors() checkin.Repository[checkin.Door] { return db.doors }

// DoorByKey returns the active door a key belongs to, and its location.
// It reads the few columns a door call needs, by the key's hash; on SQLite
// with the memo, from the door cache once read.
func (db *DB) DoorByKey(ctx context.Context, key string) (*checkin.Door, *checkin.Business, error) {
	hash := secret.HashToken(key)
	var door *checkin.Door
	var loc *checkin.Business
	doors := db.cache.doors
	cached, ok := doors.get(hash)
	if ok && db.memo != nil {
		door = &cached
		loc, _ = db.cache.byID.get(door.BusinessID)
	}
	r := doors.reading()
	var err error
	if loc == nil {
		err = db.read(ctx, func(tx *Tx) error {
			var err error
			if door == nil {
				if door, err = findDoor(tx, hash); err != nil || door == nil {
					return err
				}
			}
			loc, err = tx.business(door.BusinessID)
			return err
		})
	}
	if err != nil || door == nil {
		return nil, nil, err
	}
	now := db.now()
	seen := door.LastSeen == nil || now.Sub(door.LastSeen.Time) >= lastSeenResolution
	if seen {
		err = db.write(ctx, func(tx *Tx) error {
			_, err := tx.Exec("UPDATE doors SET last_seen = ? WHERE id = ? AND (last_seen IS NULL OR last_seen < ?)", tx.now, door.ID, tx.now)
			return err
		})
		door.LastSeen = checkin.TimePtr(now)
	}
	if db.memo != nil && err == nil && (!ok || seen) {
		doors.put(hash, *door, r)
	}
	return door, loc, err
}

// findDoor reads the active door with a key's hash; nil when none.
func findDoor(tx *Tx, hash string) (*checkin.Door, error) {
	d := &checkin.Door{Active: true}
	err := tx.QueryRow("SELECT id, business_id, name, last_seen FROM doors WHERE key_hash = ? AND active", hash).
		Scan(&d.ID, &d.BusinessID, &d.Name, &d.LastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return d, err
}

// RotateDoorKey gives a door a new key; the old one is refused from the
// commit on, since every call looks its key up afresh.
func (db *DB) RotateDoorKey(ctx context.Context, id int64) (string, error) {
	key := doorKeyPrefix + secret.NewToken()
	err := db.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE doors SET key_hash = ?, updated_on = ?, updated_by = ? WHERE id = ?", secret.HashToken(key), tx.now, actor(tx.ctx), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, db.doors.notFound(id))
		}
		return nil
	})
	db.cache.doors.forget(nil) // the old key is refused from now on
	if err != nil {
		return "", err
	}
	return key, nil
}

// SigningKeys returns the allow-list keys to publish: the signing one
// first, then those retired less than a day ago. The first call makes the
// first key; two instances starting at once make one between them (a
// unique index admits one current key).
func (db *DB) SigningKeys(ctx context.Context) ([]checkin.SigningKey, error) {
	keys, err := db.signingKeys(ctx)
	if err != nil || (len(keys) > 0 && keys[0].RetiredOn == nil) {
		return keys, err
	}
	err = db.write(ctx, func(tx *Tx) error {
		k, err := newSigningKey(tx.now)
		if err != nil {
			return err
		}
		_, err = tx.Exec("INSERT INTO door_signing_keys (kid, private_key, created_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			k.ID, base64.StdEncoding.EncodeToString(k.Private), k.CreatedOn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.signingKeys(ctx)
}

func (db *DB) signingKeys(ctx context.Context) ([]checkin.SigningKey, error) {
	var keys []checkin.SigningKey
	err := db.read(ctx, func(tx *Tx) error {
		keys = nil
		rows, err := tx.Query(`SELECT kid, private_key, created_on, retired_on FROM door_signing_keys
			WHERE retired_on IS NULL OR retired_on > ? ORDER BY retired_on IS NOT NULL, created_on DESC, kid`, tx.now.Add(-signingKeyOverlap))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k checkin.SigningKey
			var private string
			var created checkin.Time
			var retired *checkin.Time
			if err := rows.Scan(&k.ID, &private, &created, &retired); err != nil {
				return err
			}
			if k.Private, err = base64.StdEncoding.DecodeString(private); err != nil || len(k.Private) != ed25519.PrivateKeySize {
				return errors.Join(errors.New("sqlstore: a door signing key is malformed"), err)
			}
			k.CreatedOn, k.RetiredOn = created.Time, timePtr(retired)
			keys = append(keys, k)
		}
		return rows.Err()
	})
	return keys, err
}

// RotateSigningKey makes a new signing key and retires the current one,
// which stays published for a day.
func (db *DB) RotateSigningKey(ctx context.Context) (checkin.SigningKey, error) {
	var k checkin.SigningKey
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		if k, err = newSigningKey(tx.now); err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE door_signing_keys SET retired_on = ? WHERE retired_on IS NULL", tx.now); err != nil {
			return err
		}
		_, err = tx.Exec("INSERT INTO door_signing_keys (kid, private_key, created_on) VALUES (?, ?, ?)",
			k.ID, base64.StdEncoding.EncodeToString(k.Private), k.CreatedOn)
		return err
	})
	return k, err
}

// newSigningKey makes an Ed25519 key; its id is the first 9 bytes of the
// SHA-256 of the public key, in base64url.
func newSigningKey(now time.Time) (checkin.SigningKey, error) {
	pub, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return checkin.SigningKey{}, err
	}
	sum := sha256.Sum256(pub)
	return checkin.SigningKey{ID: base64.RawURLEncoding.EncodeToString(sum[:9]), Private: private, CreatedOn: now}, nil
}

// UnseenDoors counts the active doors of each location (by web address)
// not seen since a time; a location with none unseen is counted as 0.
func (db *DB) UnseenDoors(ctx context.Context, since time.Time) (map[string]int, error) {
	out := map[string]int{}
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT b.web_address, sum(CASE WHEN d.last_seen IS NULL OR d.last_seen < ? THEN 1 ELSE 0 END)
			FROM doors d JOIN businesses b ON b.id = d.business_id WHERE d.active GROUP BY b.web_address`, since)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var addr string
			var n sql.NullInt64
			if err := rows.Scan(&addr, &n); err != nil {
				return err
			}
			out[addr] = int(n.Int64)
		}
		return rows.Err()
	})
	return out, err
}
