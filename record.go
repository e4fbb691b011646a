package checkin

import (
	"crypto/rand"
	"fmt"
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

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
