package checkin

import (
	"context"
	"strings"
	"time"
)

// Door is a door controller (or the bridge beside it) at a location. It
// calls the door routes with its key, which is shown once, when the door is
// created or its key is made anew, and stored only as a hash.
type Door struct {
	BusinessID int64  `json:"BusinessId" api:"required,ref=Business"`
	Name       string `json:"Name" api:"required"`
	Active     bool   `json:"Active"`
	LastSeen   *Time  `json:"LastSeen" api:"readonly"`
	// Key is set only on the record just created, for the create answer;
	// it is no field of the API's records.
	Key string `json:"-"`
	Record
}

// Doors declares the Door entity.
var Doors = Define[Door](Schema{Name: "Door", Path: "/api/sys/doors", Table: "doors"})

// SetDefaults makes a new door active.
func (d *Door) SetDefaults() { d.Active = true }

// Validate normalises the record and checks its fields.
func (d *Door) Validate() error {
	d.Name = strings.TrimSpace(d.Name)
	var v Validation
	v.Require("BusinessId", d.BusinessID == 0)
	v.Require("Name", d.Name == "")
	if len(d.Name) > 200 {
		v.Add("Name", d.Name, "must be at most 200 characters")
	}
	return v.Err()
}

func (d *Door) String() string { return d.Name }

// OneTimeSecret is the secret the create answer shows once, by name.
func (d *Door) OneTimeSecret() (name, value string) { return "Key", d.Key }

// DoorMember is a member a card check-in at a door's location would find,
// with what decides whether it would admit them now.
type DoorMember struct {
	Member
	Cards []string // normalised, as coworker_cards holds them
	// DaysMonth and DaysWeek are the business days the member has checked in
	// on, in the month and the ISO week of today, when the plan limits them.
	DaysMonth, DaysWeek []string
}

// DoorEvent is what a door did while it could not reach the service.
type DoorEvent struct {
	EventID      string    `json:"EventId"`
	Time         time.Time `json:"Time"`
	AccessCardID string    `json:"AccessCardId"`
	Opened       bool      `json:"Opened"`
}

// Results of an uploaded door event.
const (
	DoorEventRecorded  = "recorded"
	DoorEventDuplicate = "duplicate"
)

// SigningKey is an Ed25519 key that signs allow-lists. Retired keys are
// still published for a day, so lists they signed keep verifying.
type SigningKey struct {
	ID        string // the key id (kid)
	Private   []byte // ed25519.PrivateKey
	CreatedOn time.Time
	RetiredOn *time.Time
}

// DoorStore is the database as the door routes need it.
type DoorStore interface {
	// DoorByKey returns the active door a key belongs to and its location,
	// nil when none, and marks the door seen now.
	DoorByKey(ctx context.Context, key string) (*Door, *Business, error)
	// RotateDoorKey gives a door a new key, returned once; the old one is
	// refused from the commit on.
	RotateDoorKey(ctx context.Context, id int64) (string, error)
	// DoorMembers returns the members that cards could admit at a location.
	DoorMembers(ctx context.Context, businessID int64) ([]DoorMember, Settings, time.Time, error)
	// SigningKeys returns the keys to publish, the signing one first,
	// creating one if there is none.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	// RotateSigningKey makes a new signing key and retires the current one.
	RotateSigningKey(ctx context.Context) (SigningKey, error)
	// RecordDoorEvents stores a door's offline events, each once by its
	// EventId, and returns for each "recorded", "duplicate" or why it was
	// rejected.
	RecordDoorEvents(ctx context.Context, door *Door, events []DoorEvent) ([]string, error)
	// UnseenDoors counts, by location web address, the active doors not seen
	// since a time.
	UnseenDoors(ctx context.Context, since time.Time) (map[string]int, error)
}

// CardHolder returns the member a card check-in at a location finds among
// the members of its network holding the card: the location's own member,
// else the one member of another location who may check in across the
// network; nil when the card identifies no one there.
func CardHolder(locationID int64, holders []Member) *Member {
	var network *Member
	n := 0
	for i := range holders {
		m := &holders[i]
		if m.BusinessID == locationID {
			return m
		}
		if m.AllowNetworkCheckin {
			network, n = m, n+1
		}
	}
	if n == 1 {
		return network
	}
	return nil
}
