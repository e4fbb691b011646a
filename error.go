package checkin

import (
	"errors"
	"fmt"
	"strings"
)

// Application error codes. The HTTP layer maps each to one status; anything
// that is not an *Error is internal and its text never reaches a client.
const (
	ECONFLICT     = "conflict"     // 409: the change clashes with a record or an invariant
	EINTERNAL     = "internal"     // 500: a bug or an unexpected failure
	EINVALID      = "invalid"      // 400: the input is wrong; the message says how
	ENOTFOUND     = "not_found"    // 404
	ENOTALLOWED   = "not_allowed"  // 405: the entity does not support the operation
	EUNAUTHORIZED = "unauthorized" // 401: no valid credentials
	EFORBIDDEN    = "forbidden"    // 403: valid credentials without the role
	EUNAVAILABLE  = "unavailable"  // 503: the database cannot be reached
	EMEDIATYPE    = "media_type"   // 415: the body is not of a type the route reads
	ETOOLARGE     = "too_large"    // 413: the body is larger than the service reads
)

// Error is an application error whose Message is safe to show to a client.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError // for EINVALID: one entry per offending field
}

// FieldError names one invalid field, in the shape of Nexudus's validation errors.
type FieldError struct {
	Field   string
	Message string
	Value   any
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an application error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error about one field.
func Invalid(field string, value any, format string, args ...any) *Error {
	var v Validation
	v.Add(field, value, format, args...)
	return v.Err().(*Error)
}

// ErrorCode returns the code of an application error, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the client-safe message of an application error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Validation collects field errors; Err returns them as one EINVALID error.
type Validation struct{ fields []FieldError }

// Add records that field (holding value) is invalid for the given reason.
func (v *Validation) Add(field string, value any, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Value: value, Message: fmt.Sprintf(format, args...)})
}

// Require records field as missing when empty is true.
func (v *Validation) Require(field string, empty bool) {
	if empty {
		v.Add(field, nil, "is required")
	}
}

// Err returns nil when nothing was added.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	parts := make([]string, len(v.fields))
	for i, f := range v.fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return &Error{Code: EINVALID, Message: strings.Join(parts, "; "), Fields: v.fields}
}

// Reasons a database refuses to store changes.
const (
	StorageDiskFull = "disk_full" // no space left (SQLite SQLITE_FULL, PostgreSQL 53100)
	StorageIOError  = "io_error"  // the disk failed a read or a write (SQLITE_IOERR, 58030)
	StorageReadOnly = "read_only" // the file system or the database is read-only (SQLITE_READONLY, 25006)
)

// StorageError reports that the database could not store a change because
// of its storage, not of the change: the service answers 503 until writes
// succeed again, which they do by themselves once space returns.
type StorageError struct {
	Reason string // StorageDiskFull, StorageIOError or StorageReadOnly
	Err    error  // the driver's error, for the log
}

func (e *StorageError) Error() string { return "storage failure (" + e.Reason + "): " + e.Err.Error() }
func (e *StorageError) Unwrap() error { return e.Err }

// StorageFailure returns the StorageError err holds, or nil.
func StorageFailure(err error) *StorageError {
	var se *StorageError
	if errors.As(err, &se) {
		return se
	}
	return nil
}
