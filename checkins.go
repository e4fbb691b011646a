package checkin

import "strings"

// Source says how a check-in was made (Nexudus: eCheckinSource).
const (
	SourceNone            = 0
	SourceManual          = 1 // email and password, email and pincode, pincode only
	SourceDoorAccess      = 2 // access card
	SourceNetworkActivity = 3 // MAC address and access token
	SourceTile            = 4
	SourceSensor          = 5
)

// Checkin is a stay at a location: open (ToTime null) while the member is
// checked in. A member has at most one open check-in per location. Check-ins
// made with an access token have no coworker.
type Checkin struct {
	CoworkerID               *int64     `json:"CoworkerId" api:"ref=Coworker"`
	CoworkerFullName         *string    `json:"CoworkerFullName" api:"readonly"`
	BusinessID               int64      `json:"BusinessId" api:"required,ref=Business"`
	BusinessName             *string    `json:"BusinessName" api:"readonly"`
	Source                   int64      `json:"Source" api:"enum=CheckinSource"`
	FromTime                 Time       `json:"FromTime"`
	ToTime                   *Time      `json:"ToTime"`
	CountsTowardsPlanLimits  bool       `json:"CountsTowardsPlanLimits"`
	CoworkerTimePassGuid     *string    `json:"CoworkerTimePassGuid"`
	AutoCheckout             bool       `json:"AutoCheckout"`
	LastActivity             *Time      `json:"LastActivity"`
	MacAddresses             *string    `json:"MacAddresses"`
	TeamsAtTheTimeOfCheckin  *string    `json:"TeamsAtTheTimeOfCheckin" api:"readonly"`
	TariffAtTheTimeOfCheckin *string    `json:"TariffAtTheTimeOfCheckin" api:"readonly"`
	ValidateCheckinJobID     *string    `json:"ValidateCheckinJobId"`
	FromTimeLocal            *LocalTime `json:"FromTimeLocal" api:"readonly"`
	ToTimeLocal              *LocalTime `json:"ToTimeLocal" api:"readonly"`
	Record
	// DoorID is this service's: the door that let the member in (DOORS.md).
	DoorID *int64 `json:"DoorId" api:"readonly,ref=Door"`
}

// Checkins declares the Checkin entity; its list is newest first.
var Checkins = Define[Checkin](Schema{Name: "Checkin", Path: "/api/spaces/checkins", Table: "checkins", OrderBy: "FromTime", OrderDesc: true})

// SetDefaults makes a manual check-in that counts towards plan limits.
func (c *Checkin) SetDefaults() {
	c.Source = SourceManual
	c.CountsTowardsPlanLimits = true
}

// Validate normalises the record and checks its fields.
func (c *Checkin) Validate() error {
	var v Validation
	v.Require("CoworkerId", c.CoworkerID == nil || *c.CoworkerID <= 0)
	v.Require("BusinessId", c.BusinessID == 0)
	if c.Source < SourceNone || c.Source > SourceSensor {
		v.Add("Source", c.Source, "must be 0 (none), 1 (manual), 2 (door access), 3 (network activity), 4 (tile) or 5 (sensor)")
	}
	if c.ToTime != nil && !c.FromTime.IsZero() && c.ToTime.Before(c.FromTime.Time) {
		v.Add("ToTime", c.ToTime, "must not be before FromTime")
	}
	if c.MacAddresses != nil {
		macs, err := ParseMACList(*c.MacAddresses)
		if err != nil {
			v.Add("MacAddresses", *c.MacAddresses, "%s", err.Error())
		} else {
			joined := strings.Join(macs, ",")
			c.MacAddresses = &joined
		}
	}
	return v.Err()
}

func (c *Checkin) String() string { return deref(c.CoworkerFullName) + " at " + deref(c.BusinessName) }

// FailedCheckin records a refused check-in attempt. It is written by the
// check-in endpoint only and is read-only through the API.
type FailedCheckin struct {
	CoworkerID               *int64     `json:"CoworkerId" api:"readonly,ref=Coworker"`
	CoworkerFullName         *string    `json:"CoworkerFullName" api:"readonly"`
	BusinessID               int64      `json:"BusinessId" api:"readonly,ref=Business"`
	BusinessName             *string    `json:"BusinessName" api:"readonly"`
	CheckinAttemptTime       Time       `json:"CheckinAttemptTime" api:"readonly"`
	Source                   int64      `json:"Source" api:"readonly,enum=CheckinSource"`
	MacAddresses             *string    `json:"MacAddresses" api:"readonly"`
	TeamsAtTheTimeOfCheckin  *string    `json:"TeamsAtTheTimeOfCheckin" api:"readonly"`
	TariffAtTheTimeOfCheckin *string    `json:"TariffAtTheTimeOfCheckin" api:"readonly"`
	Description              *string    `json:"Description" api:"readonly"`
	CheckinAttemptTimeLocal  *LocalTime `json:"CheckinAttemptTimeLocal" api:"readonly"`
	Record
	LocalizationDetails *string `json:"LocalizationDetails" api:"readonly,nocolumn"`
	CustomFields        *string `json:"CustomFields" api:"readonly,nocolumn"`
	// DoorID is this service's: the door that refused (DOORS.md).
	DoorID *int64 `json:"DoorId" api:"readonly,ref=Door"`
}

// FailedCheckins declares the FailedCheckin entity; its list is newest first.
var FailedCheckins = Define[FailedCheckin](Schema{Name: "FailedCheckin", Path: "/api/spaces/failedcheckins", Table: "failed_checkins", OrderBy: "CheckinAttemptTime", OrderDesc: true, ReadOnly: true})

func (f *FailedCheckin) String() string {
	return "Failed check-in of " + orDefault(deref(f.CoworkerFullName), "an unknown member") + " at " + deref(f.BusinessName)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// StringPtr returns a pointer to s, or nil when s is empty.
func StringPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
