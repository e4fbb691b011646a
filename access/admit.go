package access

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// admit lets a member in, or out on a toggle. The member is read afresh
// first (under lock, their row is locked, so that two decisions about one
// member run one after the other).
func (d *decision) admit(found *checkin.Member) (Outcome, error) {
	m, err := d.fresh(found)
	if err != nil {
		return Outcome{}, err
	}
	if err := d.checkMember(m); err != nil {
		return Outcome{}, err
	}
	open, err := d.openCheckin(m)
	if err != nil {
		return Outcome{}, err
	}
	day, dayEnd := checkin.BusinessDay(d.now, d.loc.Location(), d.settings.DailyCutOff)
	switch {
	case open != nil && d.req.Toggle:
		return d.checkOut(m, open)
	case open != nil:
		d.touch(open)
		return d.admitted(m, dayEnd)
	}
	if err := d.checkPlanLimits(m, day); err != nil {
		return Outcome{}, err
	}
	if !d.req.DoNotCheckIn {
		c := &checkin.Checkin{
			CoworkerID: &m.CoworkerID, BusinessID: d.loc.ID, Source: d.source,
			FromTime: checkin.NewTime(d.now), LastActivity: checkin.TimePtr(d.now),
			CountsTowardsPlanLimits: true, MacAddresses: checkin.StringPtr(d.plan.mac),
			FromTimeLocal: checkin.LocalTimePtr(d.now, d.loc.Location()), DoorID: d.doorID(),
		}
		d.do(checkin.StartCheckin{Checkin: c})
	}
	return d.admitted(m, dayEnd)
}

// fresh reads the member afresh. A profile that sign-up creates does not
// exist yet and needs no read.
func (d *decision) fresh(m *checkin.Member) (*checkin.Member, error) {
	if m.CoworkerID == 0 {
		return m, nil
	}
	fresh, err := d.view.Member(m.CoworkerID)
	if err != nil {
		return nil, err
	}
	if fresh == nil {
		return nil, refuse(checkin.CodeNoAccessToSpace, "The member's profile was deleted while checking in.")
	}
	return fresh, nil
}

// admitted registers the password method's new device and answers with the
// session, which lasts until the business day ends.
func (d *decision) admitted(m *checkin.Member, dayEnd time.Time) (Outcome, error) {
	result := "checked_in"
	if d.req.DoNotCheckIn {
		result = "validated"
	} else if d.newDevice {
		d.do(checkin.AddDevice{UserID: m.UserID, MAC: d.plan.mac})
	}
	return Outcome{Confirmation: d.sessionAnswer(m, dayEnd), Result: result}, nil
}

func (d *decision) checkMember(m *checkin.Member) error {
	var r *refusal
	switch {
	case !m.Active:
		r = noAccess("the membership is not active", fmt.Sprintf("%s's account is disabled (Active is false).", m.FullName))
	case !m.TariffActive:
		r = noAccess("the plan "+deref(m.TariffName)+" is not active", fmt.Sprintf("%s's plan %s is inactive.", m.FullName, deref(m.TariffName)))
	default:
		return nil
	}
	r.member = m
	return r
}

// openCheckin returns the member's open check-in here. One left open from
// an earlier business day (the automatic check-out has not reached it yet)
// is closed at the cut-off that ended its day.
func (d *decision) openCheckin(m *checkin.Member) (*checkin.OpenCheckin, error) {
	if m.CoworkerID == 0 {
		return nil, nil
	}
	open, err := d.view.OpenCheckin(m.CoworkerID, d.loc.ID)
	if err != nil || open == nil {
		return nil, err
	}
	day, _ := checkin.BusinessDay(d.now, d.loc.Location(), d.settings.DailyCutOff)
	if open.BusinessDay == checkin.FormatDay(day) {
		return open, nil
	}
	if !d.req.DoNotCheckIn {
		openDay, _ := time.Parse(time.DateOnly, open.BusinessDay)
		d.do(checkin.CloseCheckin{ID: open.ID, BusinessID: d.loc.ID, At: checkin.DayEnd(openDay, d.loc.Location(), d.settings.DailyCutOff), Auto: true})
	}
	return nil, nil
}

// ActivityResolution is how precisely an open check-in's LastActivity is
// kept: a repeat within it of the last one recorded, from a MAC already
// recorded, changes nothing. Doors and Wi-Fi controllers repeat check-ins
// every few seconds; writing each one would make every repeat a write.
const ActivityResolution = time.Minute

// touch refreshes an open check-in's last activity, adding the MAC seen.
func (d *decision) touch(open *checkin.OpenCheckin) {
	if d.req.DoNotCheckIn {
		return
	}
	macs := addMAC(open.MacAddresses, d.plan.mac)
	if macs == open.MacAddresses && d.now.Sub(open.LastActivity) < ActivityResolution {
		return
	}
	d.do(checkin.TouchCheckin{ID: open.ID, MACs: macs})
}

func (d *decision) checkOut(m *checkin.Member, open *checkin.OpenCheckin) (Outcome, error) {
	if !d.req.DoNotCheckIn {
		d.do(checkin.CloseCheckin{ID: open.ID, BusinessID: d.loc.ID, At: d.now})
	}
	return Outcome{Confirmation: d.checkoutAnswer(&m.FullName, &m.CoworkerID), Result: "checked_out"}, nil
}

// planLimit is a plan's number of business days per period.
type planLimit struct {
	days        *int64
	first, last time.Time
	period      string
}

// checkPlanLimits refuses a check-in that would add a business day beyond
// the plan's days per calendar month or ISO week. A day on which the member
// has already checked in costs nothing more.
func (d *decision) checkPlanLimits(m *checkin.Member, day time.Time) error {
	monthFirst, monthLast := checkin.MonthRange(day)
	weekFirst, weekLast := checkin.WeekRange(day)
	limits := []planLimit{{m.MonthLimit, monthFirst, monthLast, "month"}, {m.WeekLimit, weekFirst, weekLast, "week"}}
	today := checkin.FormatDay(day)
	for _, l := range limits {
		if l.days == nil {
			continue
		}
		days, err := d.view.DaysCheckedIn(m.CoworkerID, checkin.FormatDay(l.first), checkin.FormatDay(l.last))
		if err != nil {
			return err
		}
		if slices.Contains(days, today) || int64(len(days)) < *l.days {
			continue
		}
		r := noAccess(fmt.Sprintf("the plan %s allows %d days a %s and they have been used", deref(m.TariffName), *l.days, l.period),
			fmt.Sprintf("%s has used the %d days a %s of plan %s (Checkin%sLimit).", m.FullName, *l.days, l.period, deref(m.TariffName), titleCase(l.period)))
		r.member = m
		return r
	}
	return nil
}

func titleCase(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// addMAC adds mac to a comma-separated list unless it is there.
func addMAC(list, mac string) string {
	if mac == "" || slices.Contains(strings.Split(list, ","), mac) {
		return list
	}
	if list == "" {
		return mac
	}
	return list + "," + mac
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func trimmed(s string) string { return strings.TrimSpace(s) }
