package sqlstore

import (
	"database/sql"
	"strconv"

	"github.com/checkin-oss/checkin"
)

// Who a decision is about: users, their member profiles (with each one's
// open check-in at its own location), and their devices.

func (v *view) PersonByEmail(email string) (*checkin.Person, error) {
	var p checkin.Person
	err := v.QueryRow("SELECT id, email, full_name, password_hash FROM users WHERE email = ?", email).
		Scan(&p.ID, &p.Email, &p.FullName, &p.PasswordHash)
	return one(&p, err)
}

func (v *view) PersonsByDevice(mac string) ([]checkin.Person, error) {
	return keptList(v, memoKey('d', 0, mac), credKey('d', mac), false, func() ([]checkin.Person, error) { return v.personsByDevice(mac) })
}

// devicePersons reads the users of devices; its rows are scanned by
// scanDevicePerson, after any columns of the caller's before them.
const devicePersons = "u.id, u.email, u.full_name FROM user_devices d JOIN users u ON u.id = d.user_id"

func (v *view) personsByDevice(mac string) ([]checkin.Person, error) {
	rows, err := v.Query("SELECT "+devicePersons+" WHERE d.mac = ? ORDER BY u.id", mac)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.Person
	for rows.Next() {
		p, err := scanDevicePerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func scanDevicePerson(rows *sql.Rows, before ...any) (checkin.Person, error) {
	var p checkin.Person
	err := rows.Scan(append(before, &p.ID, &p.Email, &p.FullName)...)
	return p, err
}

// memberSelect reads coworker profiles with their plans, and each one's
// open check-in at its own location, where most members check in: the
// decision then needs no query of its own for it.
//
// A member's open check-in is found by coworker_id, with "business_id + 0"
// so that no index on business_id can be used for it: with statistics of
// a morning with few check-ins open, PostgreSQL otherwise chose the index
// of a location's open check-ins and read them all, for every check-in.
//
// PostgreSQL's checkin_lock_member (migration 0052) locks a member and
// reads these columns: change both together.
const memberSelect = "SELECT " + memberColumns + memberFrom

const (
	memberColumns = `c.id, c.user_id, c.business_id, c.full_name, c.email, c.access_pincode, c.active,
	c.allow_network_checkin, c.tariff_id, t.name, t.active, t.checkin_month_limit, t.checkin_week_limit,
	ch.id, ch.from_time, ch.business_day, coalesce(ch.mac_addresses, ''), coalesce(ch.last_activity, ch.from_time)`
	memberFrom = `
	FROM coworkers c LEFT JOIN tariffs t ON t.id = c.tariff_id
	LEFT JOIN checkins ch ON ch.coworker_id = c.id AND ch.business_id + 0 = c.business_id AND ch.to_time IS NULL AND ch.coworker_id IS NOT NULL`
)

// readMember is a member as a decision read them, with their open check-in
// at their own location (nil when none).
type readMember struct {
	member checkin.Member
	open   *checkin.OpenCheckin
	locked bool // read under lock on PostgreSQL
}

func (v *view) members(query string, args ...any) ([]checkin.Member, error) {
	return v.membersLocked(false, query, args...)
}

func (v *view) membersLocked(locked bool, query string, args ...any) ([]checkin.Member, error) {
	rows, err := v.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.Member
	for rows.Next() {
		r, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		r.locked = locked
		out = append(out, r.member)
		v.remember(r)
	}
	return out, rows.Err()
}

// scanMember reads a row of memberColumns, then into more the columns
// that follow them.
func scanMember(rows *sql.Rows, more ...any) (readMember, error) {
	var m checkin.Member
	var tariffActive sql.NullBool
	var openID sql.NullInt64
	var from, last *checkin.Time
	var day sql.NullString
	var macs string
	err := rows.Scan(append([]any{&m.CoworkerID, &m.UserID, &m.BusinessID, &m.FullName, &m.Email, &m.AccessPincode, &m.Active,
		&m.AllowNetworkCheckin, &m.TariffID, &m.TariffName, &tariffActive, &m.MonthLimit, &m.WeekLimit,
		&openID, &from, &day, &macs, &last}, more...)...)
	if err != nil {
		return readMember{}, err
	}
	m.TariffActive = !tariffActive.Valid || tariffActive.Bool
	r := readMember{member: m}
	if openID.Valid && from != nil && last != nil {
		r.open = &checkin.OpenCheckin{ID: openID.Int64, FromTime: from.Time, BusinessDay: day.String, MacAddresses: macs, LastActivity: last.Time}
	}
	return r, nil
}

func (v *view) Profiles(userID, networkID int64) ([]checkin.Member, error) {
	return v.keptMembers(memoKey('u', userID, strconv.FormatInt(networkID, 10)), "", memberSelect+profilesJoin+" WHERE c.user_id = ? AND b.network_id = ? ORDER BY c.id", userID, networkID)
}

func (v *view) HasAnyProfile(userID int64) (bool, error) {
	return v.exists("SELECT 1 FROM coworkers WHERE user_id = ?", userID)
}

// MembersByPincode and MembersByCard, like TokenByCode, find a code by
// indexed equality in SQL rather than by a constant-time comparison: a code
// is an identifier looked up among many, an index lookup's time does not
// measurably depend on how close a guess is, and guessing is answered by
// throttling (SECURITY.md, "Secrets at rest").
func (v *view) MembersByPincode(businessID int64, pincode string) ([]checkin.Member, error) {
	return v.keptMembers(memoKey('p', businessID, pincode), credKey('p', pincode), memberSelect+" WHERE c.business_id = ? AND c.access_pincode = ? ORDER BY c.id", businessID, pincode)
}

func (v *view) MembersByCard(networkID int64, card string) ([]checkin.Member, error) {
	return v.keptMembers(memoKey('c', networkID, card), credKey('c', card), memberSelect+cardsJoin+" WHERE cc.card = ? AND b.network_id = ? ORDER BY c.id", card, networkID)
}

// cardsJoin and profilesJoin join members to their cards' locations and
// to their own; the memo's warm reads them too (memo_warm.go).
const (
	cardsJoin    = " JOIN coworker_cards cc ON cc.coworker_id = c.id JOIN businesses b ON b.id = cc.business_id"
	profilesJoin = " JOIN businesses b ON b.id = c.business_id"
)

// Member reads a profile afresh; on PostgreSQL it begins the transaction
// and locks the profile's row.
func (v *view) Member(coworkerID int64) (*checkin.Member, error) {
	if r, ok := v.readOf(coworkerID); ok {
		return &r.member, nil
	}
	query := memberSelect + " WHERE c.id = ?"
	if v.locks() {
		// The lock first, then the read, in one call: a SELECT ... FOR
		// UPDATE that waits for the lock reads the locked row again, but
		// the rows it joins (the open check-in) as they were when it began.
		if err := v.begin(); err != nil {
			return nil, err
		}
		query = "SELECT * FROM checkin_lock_member(?)"
	}
	ms, err := v.membersLocked(v.locks(), query, coworkerID)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	return &ms[0], nil
}

// Devices returns a user's devices; on PostgreSQL it begins the
// transaction and locks the user's row.
func (v *view) Devices(userID int64) ([]string, error) {
	if err := v.lock("users", userID); err != nil {
		return nil, err
	}
	devices, err := userDevices(v.Tx, []int64{userID})
	return devices[userID], err
}
