package sqlstore

import (
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/secret"
)

func (db *DB) userHooks() hooks[checkin.User] {
	return hooks[checkin.User]{
		beforeTx: func(u *checkin.User) error { return hashPassword(&u.Password) },
		prepare: func(tx *Tx, u, old *checkin.User) error {
			if err := checkPowers(tx, u, old); err != nil {
				return err
			}
			for _, b := range u.Businesses {
				found, err := tx.exists("SELECT 1 FROM businesses WHERE id = ?", b)
				if err != nil {
					return err
				}
				if !found {
					return checkin.Invalid("Businesses", b, "there is no Business %d", b)
				}
			}
			taken, err := tx.exists("SELECT 1 FROM users WHERE email = ? AND id <> ?", u.Email, u.ID)
			if err != nil {
				return err
			}
			if taken {
				return checkin.Invalid("Email", u.Email, "is already the email of another user")
			}
			return nil
		},
		extra: func(tx *Tx, u *checkin.User) ([]string, []any, error) {
			cols, vals := []string{"roles", "businesses"}, []any{strings.Join(u.Roles, ","), joinIDs(u.Businesses)}
			if u.Password != "" {
				cols, vals = append(cols, "password_hash"), append(vals, u.Password)
			}
			return cols, vals, nil
		},
		saved: func(tx *Tx, u *checkin.User) error {
			if _, err := tx.Exec("UPDATE coworkers SET email = ? WHERE user_id = ? AND email <> ?", u.Email, u.ID, u.Email); err != nil {
				return err
			}
			if u.Password != "" {
				if err := signOut(tx, u.ID); err != nil {
					return err
				}
			}
			macs, _ := checkin.ParseMACList(u.Devices) // validated already
			return replaceDevices(tx, u.ID, macs)
		},
		load:     loadUserFields,
		deleting: func(tx *Tx, u *checkin.User) error { return checkPowers(tx, u) },
		changed:  func(u *checkin.User) { u.Password = "" },
	}
}

// joinIDs writes ids as stored in a text column: "1,2,3".
func joinIDs(list []int64) string {
	parts := make([]string, len(list))
	for i, id := range list {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// splitIDs reads what joinIDs wrote; never nil.
func splitIDs(s string) []int64 {
	out := []int64{}
	for _, part := range checkin.SplitList(s) {
		if id, err := strconv.ParseInt(part, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

// hashPassword replaces a password given in a request by its argon2id hash,
// before the write transaction starts; from then on the field holds the hash.
func hashPassword(pw *string) error {
	if *pw == "" {
		return nil
	}
	hash, err := secret.HashPassword(*pw)
	*pw = hash
	return err
}

// replaceDevices makes macs the user's devices, keeping when each was first
// registered.
func replaceDevices(tx *Tx, userID int64, macs []string) error {
	current, err := userDevices(tx, []int64{userID})
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, mac := range macs {
		keep[mac] = true
	}
	for _, mac := range current[userID] {
		if !keep[mac] {
			if _, err := tx.Exec("DELETE FROM user_devices WHERE user_id = ? AND mac = ?", userID, mac); err != nil {
				return err
			}
		}
		delete(keep, mac)
	}
	for _, mac := range macs {
		if keep[mac] {
			tx.holdCredential('d', mac)
			if _, err := tx.Exec("INSERT INTO user_devices (user_id, mac, created_on) VALUES (?, ?, ?)", userID, mac, tx.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// userDevices returns the MAC addresses of each user, oldest first.
func userDevices(tx *Tx, userIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := queryPairs(tx, "SELECT user_id, mac FROM user_devices WHERE user_id IN "+marks(len(userIDs))+" ORDER BY created_on, mac",
		ids(userIDs), func(id int64, mac string) { out[id] = append(out[id], mac) })
	return out, err
}

func loadUserFields(tx *Tx, users []*checkin.User, full bool) error {
	idList := make([]int64, len(users))
	for i, u := range users {
		idList[i] = u.ID
	}
	devices, err := userDevices(tx, idList)
	if err != nil {
		return err
	}
	roles, businesses := map[int64]string{}, map[int64]string{}
	if full {
		err := queryPairs(tx, "SELECT id, roles || ';' || businesses FROM users WHERE id IN "+marks(len(idList)), ids(idList),
			func(id int64, r string) { roles[id], businesses[id], _ = strings.Cut(r, ";") })
		if err != nil {
			return err
		}
	}
	for _, u := range users {
		u.Devices = strings.Join(devices[u.ID], ",")
		if full {
			u.Roles = append([]string{}, checkin.SplitList(roles[u.ID])...)
			u.Businesses = splitIDs(businesses[u.ID])
		}
	}
	return nil
}
