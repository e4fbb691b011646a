package sqlstore

import (
	"strings"

	"github.com/checkin-oss/checkin"
)

func (db *DB) accessTokenHooks() hooks[checkin.AccessToken] {
	return hooks[checkin.AccessToken]{
		prepare: func(tx *Tx, t, old *checkin.AccessToken) error {
			taken, err := tx.exists("SELECT 1 FROM access_tokens WHERE business_id = ? AND lower(access_code) = ? AND id <> ?",
				t.BusinessID, strings.ToLower(t.AccessCode), t.ID)
			if err != nil {
				return err
			}
			if taken {
				return checkin.Invalid("AccessCode", t.AccessCode, "is already the code of another access token at this location")
			}
			return nil
		},
		load: loadTokenDevices,
	}
}

func loadTokenDevices(tx *Tx, tokens []*checkin.AccessToken, full bool) error {
	idList := make([]int64, len(tokens))
	for i, t := range tokens {
		idList[i] = t.ID
	}
	macs := map[int64][]string{}
	err := queryPairs(tx, "SELECT token_id, mac FROM token_devices WHERE token_id IN "+marks(len(idList))+" ORDER BY created_on, mac",
		ids(idList), func(id int64, mac string) { macs[id] = append(macs[id], mac) })
	for _, t := range tokens {
		t.MacAddresses = strings.Join(macs[t.ID], ",")
	}
	return err
}

func (db *DB) visitorHooks() hooks[checkin.Visitor] {
	return hooks[checkin.Visitor]{
		prepare: func(tx *Tx, v, old *checkin.Visitor) error {
			if v.VisitorCode == "" {
				return nil
			}
			taken, err := tx.exists("SELECT 1 FROM visitors WHERE business_id = ? AND lower(visitor_code) = ? AND id <> ?",
				v.BusinessID, strings.ToLower(v.VisitorCode), v.ID)
			if err != nil {
				return err
			}
			if taken {
				return checkin.Invalid("VisitorCode", v.VisitorCode, "is already the code of another visitor at this location")
			}
			return nil
		},
	}
}
