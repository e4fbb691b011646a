package doors

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

// Paths of the door routes.
const (
	DecidePath    = "/api/public/doors/decide"
	AllowlistPath = "/api/public/doors/allowlist"
	KeysPath      = "/api/public/doors/keys"
	EventsPath    = "/api/public/doors/events"
)

// maxClockSkew is how far ahead of the service's clock a door's may run:
// an event later than that is in the future.
const maxClockSkew = time.Minute

// Handler serves the door routes.
type Handler struct {
	Store  checkin.DoorStore
	Server *httpapi.Server // decides as the public check-in, answers errors as every route does
	Clock  checkin.Clock

	mu     sync.Mutex
	issued map[int64]*issuedList // the last list of each door, by door id
}

// Routes returns the door routes, to serve beside the service's own.
func (h *Handler) Routes() []httpapi.Route {
	return []httpapi.Route{
		{Pattern: "POST " + DecidePath, Handler: h.door(h.decide), Summary: "A door asks whether a credential opens it (door key as Bearer)."},
		{Pattern: "GET " + AllowlistPath, Handler: h.door(h.allowlist), Summary: "A door's allowlist, for deciding offline (door key as Bearer)."},
		{Pattern: "POST " + EventsPath, Handler: h.door(h.events), MaxBody: 1 << 20, Summary: "A door uploads what it decided offline (door key as Bearer)."},
		{Pattern: "GET " + KeysPath, Handler: h.keys, Summary: "The keys that sign allowlists."},
		{Pattern: "POST " + checkin.Doors.Path + "/{id}/key", Entity: checkin.Doors.Name, Action: checkin.ActionEdit, Handler: h.rotateKey,
			Summary: "Rotate a door's key. Needs the role Door-Edit (or IsAdmin)."},
	}
}

// doorHandler serves a request a door made with its key.
type doorHandler func(w http.ResponseWriter, r *http.Request, door *checkin.Door, loc *checkin.Business)

// door authenticates a door by "Authorization: Bearer <door key>": a
// wrong, deleted or inactive door's key is 401.
func (h *Handler) door(next doorHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, key, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		key = strings.TrimSpace(key)
		if !strings.EqualFold(scheme, "Bearer") || key == "" {
			h.Server.WriteError(w, r, checkin.Errorf(checkin.EUNAUTHORIZED, "This needs a door key: Authorization: Bearer <door key>."))
			return
		}
		door, loc, err := h.Store.DoorByKey(r.Context(), key)
		switch {
		case err != nil:
			h.Server.WriteError(w, r, err)
		case door == nil:
			h.Server.WriteError(w, r, checkin.Errorf(checkin.EUNAUTHORIZED, "The door key is not valid: it is wrong, was replaced, or its door was deleted or made inactive."))
		default:
			next(w, r, door, loc)
		}
	}
}

// decide is POST /api/public/doors/decide: the public check-in at the
// door's location, 200 to open and 403 not to.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, door *checkin.Door, loc *checkin.Business) {
	h.Server.ServeDoorCheckin(w, r, httpapi.DoorCheckin{Location: loc, DoorID: door.ID})
}

// keys is GET /api/public/doors/keys: the allow-lists' public keys.
func (h *Handler) keys(w http.ResponseWriter, r *http.Request) {
	keys, err := h.Store.SigningKeys(r.Context())
	if err != nil {
		h.Server.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	httpapi.WriteJSON(w, http.StatusOK, Public(keys))
}

// rotateKey is POST /api/sys/doors/{id}/key: a new key, shown once.
func (h *Handler) rotateKey(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		h.Server.WriteError(w, r, checkin.Invalid("Id", r.PathValue("id"), "must be a positive whole number"))
		return
	}
	key, err := h.Store.RotateDoorKey(r.Context(), id)
	if err != nil {
		h.Server.WriteError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"Status": http.StatusOK, "Message": "The door's key was replaced; the old one no longer works.",
		"Value": map[string]any{"Id": id, "Key": key}, "WasSuccessful": true, "Errors": nil})
}
