package checkin

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook sends a location's events of one kind to a URL (EVENTS.md). The
// service sets Active to false after 20 consecutive failed deliveries, or
// at once when the receiver answers 410 Gone.
type Webhook struct {
	BusinessID  int64         `json:"BusinessId" api:"required,ref=Business"`
	Name        string        `json:"Name" api:"required"`
	Action      WebhookAction `json:"Action" api:"required"`
	URL         string        `json:"URL" api:"required"`
	Active      bool          `json:"Active"`
	Secret      string        `json:"Secret,omitempty" api:"nocolumn,writeonly"`
	LastTrigger *Time         `json:"LastTrigger" api:"readonly"`
	LastError   *string       `json:"LastError" api:"readonly"`
	ErrorCount  int64         `json:"ErrorCount" api:"readonly"`
	Record
}

// Webhooks declares the Webhook entity.
var Webhooks = Define[Webhook](Schema{Name: "WebHook", Path: "/api/sys/webhooks", Table: "webhooks"})

// SetDefaults makes a new webhook active.
func (w *Webhook) SetDefaults() { w.Active = true }

func (w *Webhook) String() string { return w.Name }

// MaxSecretLength bounds a webhook's secret.
const MaxSecretLength = 1024

// Validate normalises the record and checks its fields. Whether the URL's
// host may be reached is the webhook guard's business (webhook.Guard).
func (w *Webhook) Validate() error {
	var v Validation
	w.Name = strings.TrimSpace(w.Name)
	w.URL = strings.TrimSpace(w.URL)
	v.Require("BusinessId", w.BusinessID == 0)
	v.Require("Name", w.Name == "")
	if w.Action == 0 {
		v.Require("Action", true)
	} else if w.Action.Kind() == "" {
		v.Add("Action", w.Action, "must be an event: %s", actionChoices())
	}
	if w.URL == "" {
		v.Require("URL", true)
	} else if _, err := ParseWebhookURL(w.URL); err != nil {
		v.Add("URL", w.URL, "%s", err.Error())
	}
	if len(w.Secret) > MaxSecretLength {
		v.Add("Secret", nil, "must be at most %d bytes", MaxSecretLength)
	}
	return v.Err()
}

// ParseWebhookURL checks that raw is an absolute http or https URL with a
// host and no user name or password in it.
func ParseWebhookURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || len(raw) > 2048:
		return nil, Errorf(EINVALID, "is not a URL such as https://hooks.example.com/checkin")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, Errorf(EINVALID, "must start with http:// or https://")
	case u.Hostname() == "":
		return nil, Errorf(EINVALID, "must name a host")
	case u.User != nil:
		return nil, Errorf(EINVALID, "must not hold a user name or password; sign deliveries with Secret instead")
	}
	return u, nil
}

// WebhookAction is an event kind by Nexudus's eWebhookAction number. JSON
// writes the number and reads the number, the number in a string, or the
// event's name.
type WebhookAction int64

// webhookActions are the events a webhook can receive.
var webhookActions = []struct {
	number WebhookAction
	kind   string
}{{35, EventCheckout}, {36, EventCheckin}, {37, EventCheckinFailed}, {100, EventAccessControlUpdate}}

// ActionOf returns the number of an event kind, or 0.
func ActionOf(kind string) WebhookAction {
	for _, a := range webhookActions {
		if a.kind == kind {
			return a.number
		}
	}
	return 0
}

// Kind returns the event kind of the action, or "" for none.
func (a WebhookAction) Kind() string {
	for _, w := range webhookActions {
		if w.number == a {
			return w.kind
		}
	}
	return ""
}

func actionChoices() string {
	parts := make([]string, len(webhookActions))
	for i, a := range webhookActions {
		parts[i] = strconv.FormatInt(int64(a.number), 10) + " (" + a.kind + ")"
	}
	return strings.Join(parts, ", ")
}

// UnmarshalJSON reads 36, "36" or "CoworkerCheckin".
func (a *WebhookAction) UnmarshalJSON(b []byte) error {
	var n int64
	if err := json.Unmarshal(b, &n); err == nil {
		*a = WebhookAction(n)
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		s = strings.TrimSpace(s)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			*a = WebhookAction(n)
			return nil
		}
		for _, w := range webhookActions {
			if strings.EqualFold(w.kind, s) {
				*a = w.number
				return nil
			}
		}
	}
	return Errorf(EINVALID, "must be an event: %s", actionChoices())
}

// Delivery is one event on its way to one webhook, as a worker has
// claimed it: the worker holds the webhook until Lease ends.
type Delivery struct {
	ID          int64
	WebhookID   int64
	WebhookURL  string
	WebhookName string
	Secret      string
	ErrorCount  int64 // the webhook's consecutive failures so far
	Attempts    int64 // this delivery's attempts so far
	Event       Event
	Lease       string // the claim's token
}

// DeliveryResult is what became of one attempt, as the worker decided it.
type DeliveryResult struct {
	Delivered bool
	Error     string    // the failure's reason, for LastError
	RetryAt   time.Time // when to try the webhook again after a failure
	Disable   bool      // switch the webhook off
}

// DeliveryStore keeps the webhooks' deliveries: the SQL store is one.
// Several workers, in one process or several, may share it: each webhook is
// held by one worker at a time.
type DeliveryStore interface {
	// DispatchEvents makes a delivery of each stored event not yet
	// dispatched for each active webhook subscribed to it, oldest first,
	// at most limit events; it returns how many it dispatched.
	DispatchEvents(ctx context.Context, limit int) (int, error)
	// ClaimDeliveries holds up to limit webhooks that are due and have a
	// delivery waiting, until now+lease, and returns the first delivery
	// of each.
	ClaimDeliveries(ctx context.Context, lease time.Duration, limit int) ([]*Delivery, error)
	// FinishDelivery records the result of d. After a delivery it returns
	// the webhook's next waiting delivery, its lease renewed, or nil when
	// there is none (the webhook is then released); after a failure it
	// releases the webhook and returns nil. It returns nil and no error
	// when the lease was lost to another worker.
	FinishDelivery(ctx context.Context, d *Delivery, r DeliveryResult, lease time.Duration) (*Delivery, error)
	// ReleaseDelivery gives the webhook of d back without an attempt.
	ReleaseDelivery(ctx context.Context, d *Delivery) error
	// DeliveryBacklog counts the deliveries waiting for active webhooks
	// and the events not yet dispatched.
	DeliveryBacklog(ctx context.Context) (int, error)
	// ExpireEvents deletes the events and deliveries older than keep past
	// their last delivery.
	ExpireEvents(ctx context.Context, keep time.Duration) (int, error)
}
