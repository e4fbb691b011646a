package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/checkin-oss/checkin"
)

func (db *DB) settingHooks() hooks[checkin.BusinessSetting] {
	return hooks[checkin.BusinessSetting]{
		prepare: func(tx *Tx, s, old *checkin.BusinessSetting) error {
			canonical := checkin.SettingDef(s.Name).Name
			var other int64
			err := tx.QueryRow("SELECT id FROM business_settings WHERE business_id = ? AND canonical_name = ? AND id <> ?", s.BusinessID, canonical, s.ID).Scan(&other)
			switch {
			case err == nil:
				return checkin.Invalid("Name", s.Name, "%s is already set for this location (BusinessSetting %d); change that record instead", canonical, other)
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			return nil
		},
		extra: func(tx *Tx, s *checkin.BusinessSetting) ([]string, []any, error) {
			return []string{"canonical_name"}, []any{checkin.SettingDef(s.Name).Name}, nil
		},
		changed: func(s *checkin.BusinessSetting) { db.cache.forgetSettings(s.BusinessID) },
	}
}

// setSetting sets a location's setting, creating its record if needed.
func setSetting(tx *Tx, businessID int64, name, value string) error {
	res, err := tx.Exec("UPDATE business_settings SET value = ?, updated_on = ? WHERE business_id = ? AND canonical_name = ? AND value <> ?",
		value, tx.now, businessID, name, value)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.Exec(`INSERT INTO business_settings (unique_id, created_on, updated_on, business_id, name, canonical_name, value)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (business_id, canonical_name) DO NOTHING`,
		checkin.NewUUID(), tx.now, tx.now, businessID, name, name, value)
	return err
}
