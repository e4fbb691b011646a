package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/checkin-oss/checkin"
)

// Who a decision is about: users, their member profiles (with each one's
// open check-in at its own location), and their devices.

func (tx *decisionTx) PersonByEmail(email string) (*checkin.Person, error) {
	var p checkin.Person
	err := tx.QueryRow("SELECT id, email, full_name, password_hash FROM users WHERE email = ?", email).
		Scan(&p.ID, &p.Email, &p.FullName, &p.PasswordHash)
	return one(&p, err)
}

func (tx *decisionTx) PersonsByDevice(mac string) ([]checkin.Person, error) {
	return keptList(tx, memoKey('d', 0, mac), credKey('d', mac), false, func() ([]checkin.Person, error) { return tx.personsByDevice(mac) })
}

func (tx *decisionTx) personsByDevice(mac string) ([]checkin.Person, error) {
	rows, err := tx.Query("SELECT u.id, u.email, u.full_name FROM user_devices d JOIN users u ON u.id = d.user_id WHERE d.mac = ? ORDER BY u.id", mac)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.Person
	for rows.Next() {
		var p checkin.Person
		if err := rows.Scan(&p.ID, &p.Email, &p.FullName); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// memberSelect reads coworker profiles with their plans, and each one's
// open check-in at its own location, where most members check in: the
// decision then needs no query of its own for it.
const memberSelect = `SELECT c.id, c.user_id, c.business_id, c.full_name, c.email, c.access_pincode, c.active,
	c.allow_network_checkin, c.tariff_id, t.name, t.active, t.checkin_month_limit, t.checkin_week_limit,
	ch.id, ch.from_time, ch.business_day, coalesce(ch.mac_addresses, ''), coalesce(ch.last_activity, ch.from_time)
	FROM coworkers c LEFT JOIN tariffs t ON t.id = c.tariff_id
	LEFT JOIN checkins ch ON ch.coworker_id = c.id AND ch.business_id = c.business_id AND ch.to_time IS NULL AND ch.coworker_id IS NOT NULL`

// readMember is a member as a decision read them, with their open check-in
// at their own location (nil when none).
type readMember struct {
	member checkin.Member
	open   *checkin.OpenCheckin
	// rows is, for a member read in SQLite's writer with the memo, the
	// count of rows the writer had changed then (changes.rows).
	rows uint64
}

func (tx *decisionTx) members(query string, args ...any) ([]checkin.Member, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.Member
	for rows.Next() {
		var m checkin.Member
		var tariffActive sql.NullBool
		var openID sql.NullInt64
		var from, last *checkin.Time
		var day sql.NullString
		var macs string
		if err := rows.Scan(&m.CoworkerID, &m.UserID, &m.BusinessID, &m.FullName, &m.Email, &m.AccessPincode, &m.Active,
			&m.AllowNetworkCheckin, &m.TariffID, &m.TariffName, &tariffActive, &m.MonthLimit, &m.WeekLimit,
			&openID, &from, &day, &macs, &last); err != nil {
			return nil, err
		}
		m.TariffActive = !tariffActive.Valid || tariffActive.Bool
		out = append(out, m)
		r := readMember{member: m}
		if openID.Valid && from != nil && last != nil {
			r.open = &checkin.OpenCheckin{ID: openID.Int64, FromTime: from.Time, BusinessDay: day.String, MacAddresses: macs, LastActivity: last.Time}
		}
		tx.remember(r)
	}
	return out, rows.Err()
}

func (tx *decisionTx) Profiles(userID, networkID int64) ([]checkin.Member, error) {
	return tx.keptMembers(memoKey('u', userID, strconv.FormatInt(networkID, 10)), "", memberSelect+" JOIN businesses b ON b.id = c.business_id WHERE c.user_id = ? AND b.network_id = ? ORDER BY c.id", userID, networkID)
}

func (tx *decisionTx) HasAnyProfile(userID int64) (bool, error) {
	return tx.exists("SELECT 1 FROM coworkers WHERE user_id = ?", userID)
}

// MembersByPincode and MembersByCard, like TokenByCode, find a code by
// indexed equality in SQL rather than by a constant-time comparison: a code
// is an identifier looked up among many, an index lookup's time does not
// measurably depend on how close a guess is, and guessing is answered by
// throttling (SECURITY.md, "Secrets at rest").
func (tx *decisionTx) MembersByPincode(businessID int64, pincode string) ([]checkin.Member, error) {
	return tx.keptMembers(memoKey('p', businessID, pincode), credKey('p', pincode), memberSelect+" WHERE c.business_id = ? AND c.access_pincode = ? ORDER BY c.id", businessID, pincode)
}

func (tx *decisionTx) MembersByCard(networkID int64, card string) ([]checkin.Member, error) {
	return tx.keptMembers(memoKey('c', networkID, card), credKey('c', card), memberSelect+` JOIN coworker_cards cc ON cc.coworker_id = c.id JOIN businesses b ON b.id = cc.business_id
		WHERE cc.card = ? AND b.network_id = ? ORDER BY c.id`, card, networkID)
}

func (tx *decisionTx) LockMember(coworkerID int64) (*checkin.Member, error) {
	if r, ok := tx.readOf(coworkerID); ok {
		return &r.member, nil
	}
	lock := ""
	if tx.db.dialect == postgresDialect && !tx.snapshot {
		lock = " FOR UPDATE OF c"
	}
	ms, err := tx.members(memberSelect+" WHERE c.id = ?"+lock, coworkerID)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return &ms[0], nil
}

// SignUp registers a user as a member of a location (MembersSignUp).
func (tx *decisionTx) SignUp(businessID int64, p *checkin.Person) (*checkin.Member, error) {
	if err := tx.write(); err != nil {
		return nil, err
	}
	c := checkin.Coworkers.New()
	c.BusinessID, c.FullName, c.Email = businessID, p.FullName, p.Email
	if c.FullName == "" {
		c.FullName = p.Email
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if err := tx.db.coworkers.insert(tx.Tx, c); err != nil {
		return nil, err
	}
	return tx.LockMember(c.ID)
}

// EnableUniquePincodes turns Security.GenerateUniquePincode on at every
// location of a network.
func (tx *decisionTx) EnableUniquePincodes(networkID int64) error {
	if err := tx.write(); err != nil {
		return err
	}
	rows, err := tx.Query("SELECT id FROM businesses WHERE network_id = ?", networkID)
	if err != nil {
		return err
	}
	var businesses []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		businesses = append(businesses, id)
	}
	rows.Close()
	for _, id := range businesses {
		if err := setSetting(tx.Tx, id, checkin.SettingGenerateUniquePincode, "True"); err != nil {
			return err
		}
	}
	tx.settingsChanged = true
	return nil
}

func (tx *decisionTx) LockPerson(userID int64) error {
	if tx.db.dialect != postgresDialect || tx.snapshot {
		return nil // SQLite's write transactions already run one at a time
	}
	_, err := tx.Exec("SELECT id FROM users WHERE id = ? FOR UPDATE", userID)
	return err
}

func (tx *decisionTx) Devices(userID int64) ([]string, error) {
	devices, err := userDevices(tx.Tx, []int64{userID})
	return devices[userID], err
}

func (tx *decisionTx) AddDevice(userID int64, mac string) error {
	if err := tx.write(); err != nil {
		return err
	}
	_, err := tx.Exec("INSERT INTO user_devices (user_id, mac, created_on) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", userID, mac, tx.now)
	return err
}
