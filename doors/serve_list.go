package doors

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// issuedList is a list as last answered to a door: while what it says is
// unchanged and it is fresh, the same bytes are answered again, with the
// same ETag, so that a door polling often is answered 304.
type issuedList struct {
	content  [32]byte
	body     []byte
	sig      string
	etag     string
	issuedAt time.Time
	entries  int
}

// reissueAfter is how old a list may be before a door is given a new one
// even though nothing in it changed, so that its ExpiresAt moves on.
func reissueAfter(lifetime time.Duration) time.Duration { return min(lifetime/4, time.Hour) }

// allowlist is GET /api/public/doors/allowlist.
func (h *Handler) allowlist(w http.ResponseWriter, r *http.Request, door *checkin.Door, loc *checkin.Business) {
	l, err := h.list(r.Context(), door, loc)
	if err != nil {
		h.Server.WriteError(w, r, err)
		return
	}
	w.Header().Set("ETag", l.etag)
	w.Header().Set(SignatureHeader, l.sig)
	if etagMatches(r.Header.Get("If-None-Match"), l.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(l.body)
}

// list returns the door's list: the last one answered, or a new one when
// what it says has changed or it is due for renewal.
func (h *Handler) list(ctx context.Context, door *checkin.Door, loc *checkin.Business) (*issuedList, error) {
	keys, err := h.Store.SigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 || keys[0].RetiredOn != nil {
		return nil, errors.New("doors: no current signing key")
	}
	members, settings, now, err := h.Store.DoorMembers(ctx, loc.ID)
	if err != nil {
		return nil, err
	}
	day, dayEnd := checkin.BusinessDay(now, loc.Location(), settings.DailyCutOff)
	ms := admitted(loc, members, checkin.FormatDay(day))
	content := contentKey(keys[0].ID, door, ms, dayEnd)
	lifetime := time.Duration(settings.DoorAllowlistHours) * time.Hour
	h.mu.Lock()
	prev := h.issued[door.ID]
	h.mu.Unlock()
	if prev != nil && prev.content == content && !now.Before(prev.issuedAt) && now.Sub(prev.issuedAt) < reissueAfter(lifetime) {
		return prev, nil
	}
	l := signList(keys[0], build(door, ms, now, now.Add(lifetime), dayEnd))
	l.content = content
	h.mu.Lock()
	if h.issued == nil {
		h.issued = map[int64]*issuedList{}
	}
	h.issued[door.ID] = l
	h.mu.Unlock()
	return l, nil
}

// signList encodes a list and signs its bytes.
func signList(k checkin.SigningKey, l List) *issuedList {
	body, _ := json.Marshal(l) // a List always encodes
	sum := sha256.Sum256(body)
	return &issuedList{body: body, sig: sign(k, body), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`, issuedAt: l.IssuedAt, entries: len(l.Entries)}
}

// etagMatches reports whether an If-None-Match header names the ETag.
func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == etag || tag == "*" {
			return true
		}
	}
	return false
}
