package doors

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

// MaxEvents is the most events one upload may hold.
const MaxEvents = 1000

// Upload is the body of POST /api/public/doors/events.
type Upload struct {
	Events []checkin.DoorEvent `json:"Events"`
}

// EventResult is what became of one uploaded event.
type EventResult struct {
	EventID string `json:"EventId"`
	Result  string `json:"Result"`           // "recorded", "duplicate" or "rejected"
	Reason  string `json:"Reason,omitempty"` // why it was rejected
}

// Uploaded is the answer to an upload: one result per event, in order.
type Uploaded struct {
	Results []EventResult `json:"Results"`
}

// events is POST /api/public/doors/events: what the door did offline.
func (h *Handler) events(w http.ResponseWriter, r *http.Request, door *checkin.Door, loc *checkin.Business) {
	var up Upload
	body, err := httpapi.ReadBody(r)
	if err == nil && (checkin.TooDeep(body, checkin.MaxJSONDepth) || json.Unmarshal(body, &up) != nil) {
		err = checkin.Errorf(checkin.EINVALID, `The body must be {"Events":[{"EventId":"...","Time":"2026-06-16T08:00:00Z","AccessCardId":"...","Opened":true}]}.`)
	}
	if err == nil && len(up.Events) > MaxEvents {
		err = checkin.Invalid("Events", len(up.Events), "holds more than %d events; send them in several uploads", MaxEvents)
	}
	if err != nil {
		h.Server.WriteError(w, r, err)
		return
	}
	results := make([]EventResult, len(up.Events))
	var valid []checkin.DoorEvent
	var at []int
	now := h.Clock.Now()
	for i, e := range up.Events {
		e.AccessCardID = checkin.NormalizeCard(e.AccessCardID)
		results[i] = EventResult{EventID: e.EventID}
		if reason := invalidEvent(e, now); reason != "" {
			results[i].Result, results[i].Reason = "rejected", reason
			continue
		}
		valid, at = append(valid, e), append(at, i)
	}
	if len(valid) > 0 {
		stored, err := h.Store.RecordDoorEvents(r.Context(), door, valid)
		if err != nil {
			h.Server.WriteError(w, r, err)
			return
		}
		for j, res := range stored {
			results[at[j]].Result = res
		}
	}
	httpapi.WriteJSON(w, http.StatusOK, Uploaded{Results: results})
}

// invalidEvent says why an event cannot be recorded, or "".
func invalidEvent(e checkin.DoorEvent, now time.Time) string {
	switch {
	case strings.TrimSpace(e.EventID) == "" || len(e.EventID) > 100:
		return "EventId is required, at most 100 characters"
	case e.Time.IsZero():
		return "Time is required, in ISO 8601 such as 2026-06-16T08:00:00Z"
	case e.Time.After(now.Add(maxClockSkew)):
		return "Time is in the future"
	case e.AccessCardID == "" || len(e.AccessCardID) > 64:
		return "AccessCardId is required, at most 64 characters"
	}
	return ""
}
