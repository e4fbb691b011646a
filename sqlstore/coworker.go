package sqlstore

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"math/big"
	"slices"
	"strings"

	"github.com/checkin-oss/checkin"
)

func (db *DB) coworkerHooks() hooks[checkin.Coworker] {
	return hooks[checkin.Coworker]{
		beforeTx: func(c *checkin.Coworker) error { return hashPassword(&c.Password) },
		prepare:  prepareCoworker,
		saved:    saveCoworkerLinks,
		load:     loadCoworkerTeams,
		written:  coworkerAccessEvents,
		deleting: func(tx *Tx, c *checkin.Coworker) error { return tx.accessControlUpdate(c.BusinessID, c.ID) },
		changed:  func(c *checkin.Coworker) { c.Password = "" },
	}
}

func prepareCoworker(tx *Tx, c, old *checkin.Coworker) error {
	var err error
	if c.UserID, err = linkUser(tx, c.Email, c.FullName, c.Password); err != nil {
		return err
	}
	// A profile (and the pincode or card it holds) may be linked only to a
	// user the caller may manage: never to an administrator's by a desk user.
	if old == nil || old.UserID != c.UserID {
		if err := checkPowersOver(tx, c.UserID); err != nil {
			return err
		}
	}
	var v checkin.Validation
	var other int64
	err = tx.QueryRow("SELECT id FROM coworkers WHERE user_id = ? AND business_id = ? AND id <> ?", c.UserID, c.BusinessID, c.ID).Scan(&other)
	switch {
	case err == nil:
		v.Add("Email", c.Email, "already has a member profile at this location (Coworker %d)", other)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if err := checkPincode(tx, c, old == nil, &v); err != nil {
		return err
	}
	for _, card := range c.Cards() {
		err := tx.QueryRow("SELECT coworker_id FROM coworker_cards WHERE business_id = ? AND card = ? AND coworker_id <> ?", c.BusinessID, card, c.ID).Scan(&other)
		switch {
		case err == nil:
			field := "AccessCardId"
			if card == c.KeyFobNumber && !slices.Contains(checkin.ParseCardList(c.AccessCardID), card) {
				field = "KeyFobNumber"
			}
			v.Add(field, card, "card %s already belongs to Coworker %d at this location", card, other)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	for _, team := range c.Teams {
		var business int64
		err := tx.QueryRow("SELECT business_id FROM teams WHERE id = ?", team).Scan(&business)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			v.Add("Teams", team, "there is no Team %d", team)
		case err != nil:
			return err
		case business != c.BusinessID:
			v.Add("Teams", team, "Team %d belongs to another location", team)
		}
	}
	return v.Err()
}

// linkUser returns the id of the user with that email, creating the user
// when there is none. A password given with the coworker becomes the user's
// and, as on the User, signs the user out everywhere.
func linkUser(tx *Tx, email, fullName, passwordHash string) (int64, error) {
	var id int64
	err := tx.QueryRow("SELECT id FROM users WHERE email = ?", email).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return tx.insert("INSERT INTO users (unique_id, created_on, updated_on, updated_by, email, full_name, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
			checkin.NewUUID(), tx.now, tx.now, actor(tx.ctx), email, fullName, passwordHash)
	case err != nil:
		return 0, err
	}
	if passwordHash != "" {
		if err := checkPowersOver(tx, id); err != nil {
			return 0, err
		}
		if _, err := tx.Exec("UPDATE users SET password_hash = ?, updated_on = ? WHERE id = ?", passwordHash, tx.now, id); err != nil {
			return 0, err
		}
		if err := signOut(tx, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// checkPincode applies the location's pincode settings: a minimum length,
// a generated pincode for a new member when Security.AutoGeneratePincode is
// on, and no two members of the network with one pincode while
// Security.GenerateUniquePincode is on at any location of the network. The
// network's row is locked while checking, so two saves of one pincode
// cannot both pass.
func checkPincode(tx *Tx, c *checkin.Coworker, isNew bool, v *checkin.Validation) error {
	s, err := tx.settings(c.BusinessID)
	if err != nil {
		return err
	}
	generate := isNew && c.AccessPincode == "" && s.AutoGeneratePincode
	if c.AccessPincode == "" && !generate {
		return nil
	}
	if !generate && len(c.AccessPincode) < s.PincodeMinLength {
		v.Add("AccessPincode", c.AccessPincode, "must be at least %d digits (Security.PincodeMinLength)", s.PincodeMinLength)
		return nil
	}
	network, err := lockNetwork(tx, c.BusinessID)
	if err != nil {
		return err
	}
	if generate {
		c.AccessPincode, err = uniquePincode(tx, network, max(6, s.PincodeMinLength))
		return err
	}
	unique, err := tx.exists(`SELECT 1 FROM business_settings s JOIN businesses b ON b.id = s.business_id
		WHERE b.network_id = ? AND s.canonical_name = ? AND s.value = 'True'`, network, checkin.SettingGenerateUniquePincode)
	if err != nil || !unique {
		return err
	}
	taken, err := pincodeTaken(tx, network, c.AccessPincode, c.ID)
	if err != nil {
		return err
	}
	if taken {
		v.Add("AccessPincode", nil, "is already used by another member of this network; pincodes must be unique while Security.GenerateUniquePincode is on")
	}
	return nil
}

// lockNetwork locks the network of a location and returns its id.
func lockNetwork(tx *Tx, businessID int64) (int64, error) {
	var network int64
	err := tx.QueryRow("SELECT n.id FROM networks n JOIN businesses b ON b.network_id = n.id WHERE b.id = ?"+tx.forUpdate(), businessID).Scan(&network)
	return network, err
}

func pincodeTaken(tx *Tx, network int64, pincode string, exceptID int64) (bool, error) {
	return tx.exists(`SELECT 1 FROM coworkers c JOIN businesses b ON b.id = c.business_id
		WHERE b.network_id = ? AND c.access_pincode = ? AND c.id <> ?`, network, pincode, exceptID)
}

// uniquePincode draws random pincodes of n digits until one is free in the
// network.
func uniquePincode(tx *Tx, network int64, n int) (string, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	for range 100 {
		r, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return "", err
		}
		pincode := r.String()
		pincode = strings.Repeat("0", n-len(pincode)) + pincode
		taken, err := pincodeTaken(tx, network, pincode, 0)
		if err != nil {
			return "", err
		}
		if !taken {
			return pincode, nil
		}
	}
	return "", checkin.Errorf(checkin.ECONFLICT, "No free pincode of %d digits was found; raise Security.PincodeMinLength.", n)
}

// saveCoworkerLinks writes the coworker's cards and teams beside the row.
func saveCoworkerLinks(tx *Tx, c *checkin.Coworker) error {
	if _, err := tx.Exec("DELETE FROM coworker_cards WHERE coworker_id = ?", c.ID); err != nil {
		return err
	}
	cards := c.Cards()
	tx.holdCredential('p', c.AccessPincode)
	tx.holdCredential('c', cards...)
	for _, card := range cards {
		if _, err := tx.Exec("INSERT INTO coworker_cards (business_id, card, coworker_id) VALUES (?, ?, ?)", c.BusinessID, card, c.ID); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("DELETE FROM coworker_teams WHERE coworker_id = ?", c.ID); err != nil {
		return err
	}
	for _, team := range c.Teams {
		if _, err := tx.Exec("INSERT INTO coworker_teams (coworker_id, team_id) VALUES (?, ?) ON CONFLICT DO NOTHING", c.ID, team); err != nil {
			return err
		}
	}
	return nil
}

func loadCoworkerTeams(tx *Tx, coworkers []*checkin.Coworker, full bool) error {
	if !full {
		return nil
	}
	idList := make([]int64, len(coworkers))
	byID := map[int64]*checkin.Coworker{}
	for i, c := range coworkers {
		idList[i] = c.ID
		byID[c.ID] = c
		c.Teams = []int64{}
	}
	return queryIDPairs(tx, "SELECT coworker_id, team_id FROM coworker_teams WHERE coworker_id IN "+marks(len(idList))+" ORDER BY team_id",
		ids(idList), func(cw, team int64) { byID[cw].Teams = append(byID[cw].Teams, team) })
}
