// Package access decides public check-in requests: which of the nine
// methods a request takes, whether the member or token may enter, and what
// is recorded. A decision reads a checkin.DecisionView and returns its
// effects (checkin.Effect), which the store applies in one transaction; it
// writes nothing itself, so the store may run it again on a fresher view.
package access

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
)

// errInvalidRequest is an INVALID_REQUEST_DATA refusal: a body that is not a
// JSON object of the CheckInRequest fields.
var errInvalidRequest = errors.New("invalid request data")

// MaxFieldLength bounds every string field, and each of the Basic
// credentials; no credential is longer.
const MaxFieldLength = 1024

// DecodeRequest reads a CheckInRequest. Field names match in any letter
// case and unknown fields are ignored. As the .NET clients written for
// Nexudus expect, a number is accepted where a string is (a pincode sent as
// 1234) and "true"/"false" where a boolean is. Anything else, including the
// same field twice in different cases, is invalid.
func DecodeRequest(body []byte) (checkin.CheckinRequest, error) {
	var req checkin.CheckinRequest
	if checkin.TooDeep(body, checkin.MaxJSONDepth) {
		return req, invalid("the body nests deeper than %d levels", checkin.MaxJSONDepth)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return req, invalid("the body is not a JSON object")
	}
	var seen uint16
	for key, val := range raw {
		str, flag, bit := requestField(&req, strings.ToLower(key))
		if bit == 0 {
			continue
		}
		if seen&bit != 0 {
			return req, invalid("the field %s is given twice, in different letter cases", strings.ToLower(key))
		}
		seen |= bit
		var err error
		if str != nil {
			*str, err = lenientString(val)
		} else {
			*flag, err = lenientBool(val)
		}
		if err != nil {
			return req, invalid("the field %s %s", strings.ToLower(key), err.Error())
		}
	}
	return req, nil
}

// invalid is an INVALID_REQUEST_DATA refusal with its reason, for the log
// (never the values sent, which may be credentials).
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errInvalidRequest}, args...)...)
}

// IsPascalCase reports whether a request body's first key starts with an
// upper-case letter ({"AccessCardId":...}), as the older Nexudus
// documentation and the clients written from it send: such a request is
// answered in PascalCase (checkin.Confirmation.Pascal).
func IsPascalCase(body []byte) bool {
	i := 0
	skip := func() {
		for i < len(body) && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n') {
			i++
		}
	}
	skip()
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i++
	skip()
	return i+1 < len(body) && body[i] == '"' && body[i+1] >= 'A' && body[i+1] <= 'Z'
}

// requestField returns the field of req that a lower-case key names, a
// string or a flag, and a bit of its own; bit is 0 for a key that names no
// field.
func requestField(req *checkin.CheckinRequest, name string) (str *string, flag *bool, bit uint16) {
	switch name {
	case "email":
		return &req.Email, nil, 1 << 0
	case "password":
		return &req.Password, nil, 1 << 1
	case "pincode":
		return &req.Pincode, nil, 1 << 2
	case "mac":
		return &req.MAC, nil, 1 << 3
	case "token":
		return &req.Token, nil, 1 << 4
	case "accesscardid":
		return &req.AccessCardID, nil, 1 << 5
	case "disconnect":
		return nil, &req.Disconnect, 1 << 6
	case "toggle":
		return nil, &req.Toggle, 1 << 7
	case "donotcheckin":
		return nil, &req.DoNotCheckIn, 1 << 8
	}
	return nil, nil, 0
}

func lenientString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case bytes.Equal(raw, []byte("null")):
		return "", nil
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", errors.New("is not a valid JSON string")
		}
		if len(s) > MaxFieldLength {
			return "", fmt.Errorf("is longer than %d bytes", MaxFieldLength)
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil || len(n) > 64 {
		return "", errors.New("must be a string")
	}
	return n.String(), nil
}

func lenientBool(raw json.RawMessage) (bool, error) {
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b, nil
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return false, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if v, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
			return v, nil
		}
	}
	return false, errors.New("must be true or false")
}

// ErrNoBasic is ParseBasic's answer to a header of another scheme, or none.
var ErrNoBasic = errors.New("no Basic credentials")

// BasicCredentials reads "Authorization: Basic base64(email:password)"; ok
// is false for any other header, and for credentials that ParseBasic refuses.
func BasicCredentials(header string) (email, password string, ok bool) {
	email, password, err := ParseBasic(header)
	return email, password, err == nil
}

// ParseBasic reads "Authorization: Basic base64(email:password)". It returns
// ErrNoBasic when the header is not of the Basic scheme, and another error
// when it is but does not hold an email, a colon and a password, or when
// either is longer than MaxFieldLength.
func ParseBasic(header string) (email, password string, err error) {
	scheme, encoded, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", ErrNoBasic
	}
	encoded = strings.TrimSpace(encoded)
	if len(encoded) > 4*(2*MaxFieldLength+3)/3 {
		return "", "", invalid("the Basic credentials are longer than %d bytes each", MaxFieldLength)
	}
	decoded, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return "", "", invalid("the Basic credentials are not base64")
	}
	email, password, ok := strings.Cut(string(decoded), ":")
	switch {
	case !ok || email == "":
		return "", "", invalid("the Basic credentials are not email:password")
	case len(email) > MaxFieldLength || len(password) > MaxFieldLength:
		return "", "", invalid("the Basic credentials are longer than %d bytes each", MaxFieldLength)
	}
	return email, password, nil
}

// fieldWithNUL names the first string field of req that holds a NUL
// character, which no credential holds and PostgreSQL cannot store or
// compare; "" when none does.
func fieldWithNUL(req checkin.CheckinRequest) string {
	for _, f := range []struct{ name, value string }{
		{"email", req.Email}, {"password", req.Password}, {"pincode", req.Pincode},
		{"mac", req.MAC}, {"token", req.Token}, {"accessCardId", req.AccessCardID},
	} {
		if strings.IndexByte(f.value, 0) >= 0 {
			return f.name
		}
	}
	return ""
}
