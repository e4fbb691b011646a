package access

import (
	"slices"

	"github.com/checkin-oss/checkin"
)

// CardAdmission says whether a card check-in today would admit a member,
// by the rules admit applies (an active member, an active plan, days left
// on it), and whether the plan limits leave them only today. daysMonth and
// daysWeek are the business days they have checked in on in today's month
// and ISO week. It is what a door's offline allow-list holds.
func CardAdmission(m *checkin.Member, daysMonth, daysWeek []string, today string) (admits, onlyToday bool) {
	if !m.Active || !m.TariffActive {
		return false, false
	}
	for _, l := range []struct {
		limit *int64
		days  []string
	}{{m.MonthLimit, daysMonth}, {m.WeekLimit, daysWeek}} {
		if l.limit == nil {
			continue
		}
		used := int64(len(l.days))
		if !slices.Contains(l.days, today) {
			if used >= *l.limit {
				return false, false
			}
			used++ // today's check-in takes a day
		}
		if used >= *l.limit {
			onlyToday = true
		}
	}
	return true, onlyToday
}
