package checkin

// Occupancy is who is checked in at a location now: its open check-ins.
type Occupancy struct {
	BusinessID int64            `json:"BusinessId"`
	CheckedIn  int              `json:"CheckedIn"`
	Members    []OccupancyEntry `json:"Members"`
}

// OccupancyEntry is one open check-in; a check-in made with an access
// token has no coworker.
type OccupancyEntry struct {
	CoworkerID *int64  `json:"CoworkerId"`
	FullName   *string `json:"FullName"`
	FromTime   Time    `json:"FromTime"`
	Source     int64   `json:"Source"`
}
