package sqlstore

import (
	"github.com/checkin-oss/checkin"
)

func (db *DB) businessHooks() hooks[checkin.Business] {
	return hooks[checkin.Business]{
		prepare: func(tx *Tx, b, old *checkin.Business) error {
			taken, err := tx.exists("SELECT 1 FROM businesses WHERE web_address = ? AND id <> ?", b.WebAddress, b.ID)
			if err != nil {
				return err
			}
			if taken {
				return checkin.Invalid("WebAddress", b.WebAddress, "is already the address of another location")
			}
			return joinNetwork(tx, b, old)
		},
		changed: func(b *checkin.Business) { db.cache.forgetBusiness(b.ID) },
	}
}

// joinNetwork puts a location in the network its NetworkId names, or in a new
// network of its own when a new location names none. A replace that leaves
// NetworkId out keeps the location's network.
func joinNetwork(tx *Tx, b, old *checkin.Business) error {
	switch {
	case b.NetworkID != 0:
		found, err := tx.exists("SELECT 1 FROM networks WHERE id = ?", b.NetworkID)
		if err != nil {
			return err
		}
		if !found {
			return checkin.Invalid("NetworkId", b.NetworkID, "there is no network %d; leave NetworkId out to start a new one", b.NetworkID)
		}
	case old != nil:
		b.NetworkID = old.NetworkID
	default:
		id, err := tx.insert("INSERT INTO networks (created_on) VALUES (?)", tx.now)
		if err != nil {
			return err
		}
		b.NetworkID = id
	}
	return nil
}
