package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/checkin-oss/checkin"
)

// RecordDoorEvents stores a door's offline events in one transaction. Each
// is kept once per door by its EventId (the door_events row is written with
// what it records, so a retry after a crash finds it): an opened door is a
// check-in at the event's time, a refusal a FailedCheckin at its time.
func (db *DB) RecordDoorEvents(ctx context.Context, door *checkin.Door, events []checkin.DoorEvent) ([]string, error) {
	var results []string
	err := db.write(ctx, func(tx *Tx) error {
		results = make([]string, len(events)) // the transaction may be run again
		loc, err := tx.business(door.BusinessID)
		if err != nil {
			return err
		}
		s, err := tx.settings(loc.ID)
		if err != nil {
			return err
		}
		v := &view{Tx: tx}
		for i, e := range events {
			if results[i], err = recordDoorEvent(v, door, loc, s, e); err != nil {
				return err
			}
		}
		return nil
	})
	return results, err
}

func recordDoorEvent(tx *view, door *checkin.Door, loc *checkin.Business, s checkin.Settings, e checkin.DoorEvent) (string, error) {
	res, err := tx.Exec("INSERT INTO door_events (door_id, event_id, occurred_on, opened, recorded_on) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		door.ID, e.EventID, e.Time.UTC(), e.Opened, tx.now)
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return checkin.DoorEventDuplicate, err
	}
	holders, err := tx.MembersByCard(loc.NetworkID, e.AccessCardID)
	if err != nil {
		return "", err
	}
	m := checkin.CardHolder(loc.ID, holders)
	if e.Opened && m != nil {
		return checkin.DoorEventRecorded, offlineCheckin(tx, door, loc, s, m, e)
	}
	f := &checkin.FailedCheckin{
		BusinessID: loc.ID, BusinessName: &loc.Name, Source: checkin.SourceDoorAccess, DoorID: &door.ID,
		CheckinAttemptTime:      checkin.NewTime(e.Time),
		CheckinAttemptTimeLocal: checkin.LocalTimePtr(e.Time, loc.Location()),
	}
	switch {
	case m != nil:
		f.CoworkerID, f.CoworkerFullName = &m.CoworkerID, &m.FullName
		f.Description = checkin.StringPtr(fmt.Sprintf("Door %s refused card %s while offline: the card was not on its allow-list, or the list had expired.", door.Name, e.AccessCardID))
	case e.Opened:
		f.Description = checkin.StringPtr(fmt.Sprintf("Door %s opened offline for card %s, which no member of this location holds now.", door.Name, e.AccessCardID))
	default:
		f.Description = checkin.StringPtr(fmt.Sprintf("Door %s refused card %s while offline; no member of this location holds it.", door.Name, e.AccessCardID))
	}
	return checkin.DoorEventRecorded, tx.apply([]checkin.Effect{checkin.RecordFailedCheckin{FailedCheckin: f}})
}

// offlineCheckin records that a member came in at a door while it was
// offline, on the business day of the event, so that plan limits count it
// on that day. A stay that already covers the time is that visit; else a
// check-in starts at the time: open if it is today's latest, else closed
// at the member's next check-in that day or at the day's cut-off.
func offlineCheckin(tx *view, door *checkin.Door, loc *checkin.Business, s checkin.Settings, m *checkin.Member, e checkin.DoorEvent) error {
	dayStart, dayEnd := checkin.BusinessDay(e.Time, loc.Location(), s.DailyCutOff)
	day := checkin.FormatDay(dayStart)
	covered, err := tx.exists(`SELECT 1 FROM checkins WHERE coworker_id = ? AND business_id = ? AND business_day = ?
		AND from_time <= ? AND (to_time IS NULL OR to_time >= ?)`, m.CoworkerID, loc.ID, day, e.Time, e.Time)
	if err != nil || covered {
		return err
	}
	var next *checkin.Time
	if err := tx.QueryRow("SELECT min(from_time) FROM checkins WHERE coworker_id = ? AND business_id = ? AND business_day = ? AND from_time > ?",
		m.CoworkerID, loc.ID, day, e.Time).Scan(&next); err != nil {
		return err
	}
	today, _ := checkin.BusinessDay(tx.now, loc.Location(), s.DailyCutOff)
	c := &checkin.Checkin{
		CoworkerID: &m.CoworkerID, BusinessID: loc.ID, Source: checkin.SourceDoorAccess, DoorID: &door.ID,
		FromTime: checkin.NewTime(e.Time), LastActivity: checkin.TimePtr(e.Time), CountsTowardsPlanLimits: true,
		FromTimeLocal: checkin.LocalTimePtr(e.Time, loc.Location()),
	}
	if next == nil && day == checkin.FormatDay(today) {
		if err := closeEarlierDay(tx, m, loc, s, day); err != nil {
			return err
		}
	} else {
		to := dayEnd
		if next != nil && next.Before(to) {
			to = next.Time
		}
		c.ToTime, c.ToTimeLocal, c.AutoCheckout = checkin.TimePtr(to), checkin.LocalTimePtr(to, loc.Location()), next == nil
	}
	if err := tx.startCheckin(c, nil); err != nil {
		return err
	}
	if c.ToTime != nil { // a stay of the past, opened and closed at once
		return tx.checkoutEvents([]*checkin.Checkin{c})
	}
	return nil
}

// closeEarlierDay closes a member's check-in left open from an earlier
// business day at the cut-off that ended it, as a check-in would.
func closeEarlierDay(tx *view, m *checkin.Member, loc *checkin.Business, s checkin.Settings, day string) error {
	open, err := tx.OpenCheckin(m.CoworkerID, loc.ID)
	if err != nil || open == nil || open.BusinessDay == day {
		return err
	}
	openDay, err := time.Parse(time.DateOnly, open.BusinessDay)
	if err != nil {
		return err
	}
	return tx.closeCheckin(open.ID, loc.ID, checkin.DayEnd(openDay, loc.Location(), s.DailyCutOff), true)
}
