package sqlstore

import (
	"database/sql"
	"errors"
	"slices"

	"github.com/checkin-oss/checkin"
)

// checkRefs checks every reference field: the record it names must exist
// and, when both records belong to a location, to the same location
// (network-wide references are the hooks' business).
func (t *table[T]) checkRefs(tx *Tx, rec *T) error {
	var v checkin.Validation
	ownBusiness := t.entity.Field("BusinessId")
	for _, f := range t.entity.Fields {
		if f.Ref == "" || f.ReadOnly {
			continue
		}
		id, ok := refID(f.Value(rec))
		if !ok {
			continue
		}
		target := checkin.Lookup(f.Ref)
		if ownBusiness != nil && f != ownBusiness && target.Field("BusinessId") != nil && !t.crossLocation(f) {
			var business int64
			err := tx.QueryRow("SELECT business_id FROM "+target.Table+" WHERE id = ?", id).Scan(&business)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				v.Add(f.Name, id, "there is no %s %d", target.Name, id)
			case err != nil:
				return err
			case business != ownBusiness.Value(rec).(int64):
				v.Add(f.Name, id, "%s %d belongs to another location", target.Name, id)
			}
			continue
		}
		found, err := tx.exists("SELECT 1 FROM "+target.Table+" WHERE id = ?", id)
		if err != nil {
			return err
		}
		if !found {
			v.Add(f.Name, id, "there is no %s %d", target.Name, id)
		}
	}
	return v.Err()
}

func (t *table[T]) crossLocation(f *checkin.Field) bool {
	return slices.Contains(t.hooks.networkRefs, f.Name)
}

func refID(v any) (int64, bool) {
	switch id := v.(type) {
	case int64:
		return id, id != 0
	case *int64:
		if id != nil {
			return *id, true
		}
	}
	return 0, false
}
