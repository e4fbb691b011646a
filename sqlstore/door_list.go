package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/checkin-oss/checkin"
)

// DoorMembers returns the members of a location's network whose cards a
// card check-in there could find (its own members, and those of other
// locations who may check in across the network), with their cards and,
// for those whose plan limits days, the business days they have checked
// in on in today's month and week. It also returns the location's
// settings and the time it read them at.
func (db *DB) DoorMembers(ctx context.Context, businessID int64) ([]checkin.DoorMember, checkin.Settings, time.Time, error) {
	var out []checkin.DoorMember
	var s checkin.Settings
	var now time.Time
	err := db.read(ctx, func(tx *Tx) error {
		b, err := tx.business(businessID)
		if err != nil {
			return err
		}
		if s, err = tx.settings(businessID); err != nil {
			return err
		}
		now = tx.now
		if out, err = doorMembers(tx, b); err != nil {
			return err
		}
		day, _ := checkin.BusinessDay(now, b.Location(), s.DailyCutOff)
		return addDaysCheckedIn(tx, b, day, out)
	})
	return out, s, now, err
}

func doorMembers(tx *Tx, b *checkin.Business) ([]checkin.DoorMember, error) {
	rows, err := tx.Query(`SELECT c.id, c.user_id, c.business_id, c.full_name, c.email, c.active, c.allow_network_checkin,
		c.tariff_id, t.name, t.active, t.checkin_month_limit, t.checkin_week_limit, cc.card
		FROM coworker_cards cc JOIN coworkers c ON c.id = cc.coworker_id JOIN businesses b ON b.id = cc.business_id
		LEFT JOIN tariffs t ON t.id = c.tariff_id
		WHERE b.network_id = ? AND (c.business_id = ? OR c.allow_network_checkin) ORDER BY c.id, cc.card`, b.NetworkID, b.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []checkin.DoorMember
	for rows.Next() {
		var m checkin.DoorMember
		var tariffActive sql.NullBool
		var card string
		if err := rows.Scan(&m.CoworkerID, &m.UserID, &m.BusinessID, &m.FullName, &m.Email, &m.Active, &m.AllowNetworkCheckin,
			&m.TariffID, &m.TariffName, &tariffActive, &m.MonthLimit, &m.WeekLimit, &card); err != nil {
			return nil, err
		}
		m.TariffActive = !tariffActive.Valid || tariffActive.Bool
		if n := len(out); n > 0 && out[n-1].CoworkerID == m.CoworkerID {
			out[n-1].Cards = append(out[n-1].Cards, card)
			continue
		}
		m.Cards = []string{card}
		out = append(out, m)
	}
	return out, rows.Err()
}

// addDaysCheckedIn gives the members whose plans limit days the days they
// have checked in on, in day's month and ISO week, as the check-in counts
// them (DaysCheckedIn).
func addDaysCheckedIn(tx *Tx, b *checkin.Business, day time.Time, members []checkin.DoorMember) error {
	byID := map[int64]*checkin.DoorMember{}
	for i := range members {
		if m := &members[i]; m.MonthLimit != nil || m.WeekLimit != nil {
			byID[m.CoworkerID] = m
		}
	}
	if len(byID) == 0 {
		return nil
	}
	monthFirst, monthLast := checkin.MonthRange(day)
	weekFirst, weekLast := checkin.WeekRange(day)
	first, last := min(checkin.FormatDay(monthFirst), checkin.FormatDay(weekFirst)), max(checkin.FormatDay(monthLast), checkin.FormatDay(weekLast))
	rows, err := tx.Query(`SELECT DISTINCT ch.coworker_id, ch.business_day FROM checkins ch
		JOIN coworkers c ON c.id = ch.coworker_id JOIN businesses b ON b.id = c.business_id JOIN tariffs t ON t.id = c.tariff_id
		WHERE b.network_id = ? AND (t.checkin_month_limit IS NOT NULL OR t.checkin_week_limit IS NOT NULL)
		AND ch.counts_towards_plan_limits AND ch.business_day >= ? AND ch.business_day <= ?`, b.NetworkID, first, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	within := func(d string, from, to time.Time) bool {
		return d >= checkin.FormatDay(from) && d <= checkin.FormatDay(to)
	}
	for rows.Next() {
		var id int64
		var d string
		if err := rows.Scan(&id, &d); err != nil {
			return err
		}
		m := byID[id]
		if m == nil {
			continue
		}
		if within(d, monthFirst, monthLast) {
			m.DaysMonth = append(m.DaysMonth, d)
		}
		if within(d, weekFirst, weekLast) {
			m.DaysWeek = append(m.DaysWeek, d)
		}
	}
	return rows.Err()
}
