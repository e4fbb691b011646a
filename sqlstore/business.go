package sqlstore

import (
	"fmt"
	"strings"

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
		deleting: refuseDeletingHistory,
		changed:  func(b *checkin.Business) { db.cache.forgetBusiness(b.ID) },
	}
}

// refuseDeletingHistory refuses to delete a location that holds records
// which must outlive no one's decision: check-ins and failed check-ins are
// its history, and members, plans, teams, tokens and visitors are removed
// first, on purpose. The foreign keys refuse it too (none cascades), so a
// record added meanwhile by another instance cannot be lost.
func refuseDeletingHistory(tx *Tx, b *checkin.Business) error {
	var held []string
	for _, t := range []struct{ table, what string }{
		{"checkins", "check-ins"}, {"failed_checkins", "failed check-ins"}, {"coworkers", "members"},
		{"tariffs", "plans"}, {"teams", "teams"}, {"access_tokens", "access tokens"}, {"visitors", "visitors"},
	} {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM "+t.table+" WHERE business_id = ?", b.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, t.what))
		}
	}
	if len(held) > 0 {
		return checkin.Errorf(checkin.ECONFLICT, "Business %d holds %s; a location with history cannot be deleted.", b.ID, strings.Join(held, ", "))
	}
	return nil
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
