package checkin

import (
	"crypto/rand"
	"fmt"
	"time"
)

// Record holds the fields every entity has. It is embedded last in each
// entity, so that JSON writes these fields after the entity's own, as
// Nexudus does.
type Record struct {
	ID           int64   `json:"Id" api:"readonly"`
	UpdatedOn    Time    `json:"UpdatedOn" api:"readonly"`
	CreatedOn    Time    `json:"CreatedOn" api:"readonly"`
	UniqueID     string  `json:"UniqueId" api:"readonly"`
	UpdatedBy    *string `json:"UpdatedBy" api:"readonly"`
	IsNew        bool    `json:"IsNew" api:"readonly,nocolumn"`
	SystemID     *string `json:"SystemId"`
	ToStringText string  `json:"ToStringText" api:"readonly,nocolumn"`
}

// Base returns the common fields; every entity has it through embedding.
func (r *Record) Base() *Record { return r }

// NewUUID returns a version 7 UUID (RFC 9562): the time in milliseconds,
// then 74 random bits. UniqueIds are opaque to clients, and a UUID like any
// other to them; ordered by time, each new record's goes at the end of the
// unique index rather than at a random place in it, so that a busy table
// (failed check-ins, check-ins) writes one index page per commit instead of
// one per row. It tells when the record was made, which its CreatedOn says
// anyway.
func NewUUID() string { return newUUIDAt(time.Now()) }

func newUUIDAt(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
