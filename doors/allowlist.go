// Package doors serves door controllers: their decisions, their signed
// offline allow-lists and the events they upload after being offline
// (DOORS.md). The reference bridge that runs beside a door is doorbridge.
package doors

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
)

// List is the offline allow-list of one door.
type List struct {
	DoorID     int64     `json:"DoorId"`
	BusinessID int64     `json:"BusinessId"`
	IssuedAt   time.Time `json:"IssuedAt"`
	ExpiresAt  time.Time `json:"ExpiresAt"`
	Salt       string    `json:"Salt"`
	Entries    []Entry   `json:"Entries"`
}

// Entry is a member the door may admit offline, until ValidUntil.
type Entry struct {
	CoworkerID int64     `json:"CoworkerId"`
	CardHashes []string  `json:"CardHashes"`
	ValidUntil time.Time `json:"ValidUntil"`
}

// member is one entry before its cards are hashed: what the list's ETag
// depends on.
type member struct {
	id        int64
	cards     []string
	todayOnly bool // valid until the business day ends, else until the list expires
}

// admitted returns the members a card check-in at the location would admit
// now, each with the cards that would find them: a card held by a member of
// the location is theirs; one held only by members of other locations is
// the one such member's who may check in across the network.
func admitted(loc *checkin.Business, members []checkin.DoorMember, today string) []member {
	holders := map[string][]int{}
	for i, m := range members {
		for _, c := range m.Cards {
			holders[c] = append(holders[c], i)
		}
	}
	var out []member
	for i := range members {
		m := &members[i]
		ok, todayOnly := access.CardAdmission(&m.Member, m.DaysMonth, m.DaysWeek, today)
		if !ok {
			continue
		}
		var cards []string
		for _, c := range m.Cards {
			if cardIsTheirs(loc, members, holders[c], i) {
				cards = append(cards, c)
			}
		}
		if len(cards) > 0 {
			slices.Sort(cards)
			out = append(out, member{id: m.CoworkerID, cards: slices.Compact(cards), todayOnly: todayOnly})
		}
	}
	slices.SortFunc(out, func(a, b member) int { return int(a.id - b.id) })
	return out
}

// cardIsTheirs reports whether a card check-in with a card held by the
// members at indexes holders finds members[i].
func cardIsTheirs(loc *checkin.Business, members []checkin.DoorMember, holders []int, i int) bool {
	ms := make([]checkin.Member, len(holders))
	for j, h := range holders {
		ms[j] = members[h].Member
	}
	m := checkin.CardHolder(loc.ID, ms)
	return m != nil && m.CoworkerID == members[i].CoworkerID
}

// contentKey is what a list says, without its salt and times: two lists
// with one key admit the same cards for the same time.
func contentKey(kid string, door *checkin.Door, ms []member, dayEnd time.Time) [32]byte {
	b, _ := json.Marshal(struct {
		Kid     string
		Door    int64
		Loc     int64
		DayEnd  time.Time
		Members []any
	}{kid, door.ID, door.BusinessID, dayEnd, membersJSON(ms)})
	return sha256.Sum256(b)
}

func membersJSON(ms []member) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = []any{m.id, m.cards, m.todayOnly}
	}
	return out
}

// build makes the list of a door from its admitted members.
func build(door *checkin.Door, ms []member, issued, expires, dayEnd time.Time) List {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails
	l := List{DoorID: door.ID, BusinessID: door.BusinessID, IssuedAt: issued.UTC(), ExpiresAt: expires.UTC(),
		Salt: base64.StdEncoding.EncodeToString(salt), Entries: make([]Entry, len(ms))}
	for i, m := range ms {
		until := expires
		if m.todayOnly && dayEnd.Before(expires) {
			until = dayEnd
		}
		e := Entry{CoworkerID: m.id, ValidUntil: until.UTC(), CardHashes: make([]string, len(m.cards))}
		for j, c := range m.cards {
			e.CardHashes[j] = HashCard(salt, c)
		}
		l.Entries[i] = e
	}
	return l
}

// HashCard is a card as a list holds it: base64 of SHA-256 over the salt's
// bytes followed by the normalised card's UTF-8 bytes.
func HashCard(salt []byte, card string) string {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(checkin.NormalizeCard(card)))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// Admits reports whether the list lets a card in at a time: the list has
// not expired and an entry holding the card is still valid.
func (l *List) Admits(card string, at time.Time) bool {
	if !at.Before(l.ExpiresAt) || at.Before(l.IssuedAt.Add(-maxClockSkew)) {
		return false
	}
	salt, err := base64.StdEncoding.DecodeString(l.Salt)
	if err != nil {
		return false
	}
	h := HashCard(salt, card)
	for _, e := range l.Entries {
		if at.Before(e.ValidUntil) && slices.Contains(e.CardHashes, h) {
			return true
		}
	}
	return false
}
