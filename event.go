package checkin

import (
	"encoding/json"
	"time"
)

// Event kinds (EVENTS.md), with Nexudus's eWebhookAction numbers.
const (
	EventCheckin             = "CoworkerCheckin"       // 36: a check-in opened
	EventCheckout            = "CoworkerCheckout"      // 35: a check-in closed
	EventCheckinFailed       = "CoworkerCheckinFailed" // 37: a FailedCheckin recorded
	EventAccessControlUpdate = "AccessControlUpdate"   // 100: a door's allow-list may change
)

// Event is one stored event: a change, written in the same transaction as
// the change itself. Seq orders events; ID (a UUID) is what deliveries and
// the live stream carry.
type Event struct {
	Seq        int64
	ID         string
	Kind       string
	Time       time.Time
	BusinessID int64
	Record     json.RawMessage // the record as the admin API shows it
}
