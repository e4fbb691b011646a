package checkin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Decode reads a JSON object into rec, loosely, as Nexudus's own binder
// does: names match fields in any letter case; a number or boolean field
// also takes a string holding one ("1", "True"); an enum field takes its
// number or its name in any case; a date takes every spelling ParseTime
// knows; a list takes an array or a comma-separated string; null clears a
// field. Unknown and read-only fields are ignored; a value that does not
// parse is an EINVALID error naming its field and value. Fields the object
// does not name keep their values in rec, so that a JSON merge patch
// (RFC 7396) is decoded over the stored record. It returns the object's
// "Id", if any.
func (s *Schema) Decode(body []byte, rec any) (id int64, err error) {
	if TooDeep(body, MaxJSONDepth) {
		return 0, Errorf(EINVALID, "The request body nests objects and arrays deeper than %d levels.", MaxJSONDepth)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return 0, Errorf(EINVALID, "The request body must be a JSON object.")
	}
	values := make(map[string]any, len(raw))
	for key, val := range raw {
		dec := json.NewDecoder(bytes.NewReader(val))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return 0, Errorf(EINVALID, "The request body must be a JSON object.")
		}
		values[key] = v
	}
	return s.decodeValues(values, rec)
}

// DecodeForm reads a form-encoded body (application/x-www-form-urlencoded)
// into rec as Decode reads JSON: every value is a string, read as its
// field's type; a list is a repeated key (also "Roles[]") or a
// comma-separated value; an empty value clears the field.
func (s *Schema) DecodeForm(form url.Values, rec any) (id int64, err error) {
	values := make(map[string]any, len(form))
	for key, vals := range form {
		key = strings.TrimSuffix(key, "[]")
		f := s.Field(key)
		switch {
		case f != nil && f.Kind == KindList:
			items := []any{}
			for _, v := range vals {
				for item := range strings.SplitSeq(v, ",") {
					if item = strings.TrimSpace(item); item != "" {
						items = append(items, item)
					}
				}
			}
			values[key] = items
		case len(vals) > 1:
			return 0, Invalid(key, vals, "is given %d times; give it once", len(vals))
		case vals[0] == "":
			values[key] = nil
		default:
			values[key] = vals[0]
		}
	}
	return s.decodeValues(values, rec)
}

func (s *Schema) decodeValues(values map[string]any, rec any) (id int64, err error) {
	var v Validation
	seen := make(map[*Field]string, len(values))
	for key, val := range values {
		f := s.Field(key)
		if f == nil {
			continue
		}
		if first, ok := seen[f]; ok {
			v.Add(f.Name, val, "is given twice, as %s and as %s", first, key)
			continue
		}
		seen[f] = key
		if f.Name == "Id" {
			if n, err := looseInt(f, val); err != nil {
				v.Add("Id", val, "%s", err.Error())
			} else {
				id = n
			}
			continue
		}
		if f.ReadOnly {
			continue
		}
		if err := f.set(rec, val); err != nil {
			v.Add(f.Name, val, "%s", err.Error())
		}
	}
	return id, v.Err()
}

// set stores a decoded JSON value (nil, bool, json.Number, string, []any or
// map[string]any) in the field of rec.
func (f *Field) set(rec any, val any) error {
	if val == nil {
		f.Clear(rec)
		return nil
	}
	field := reflect.ValueOf(rec).Elem().FieldByIndex(f.index)
	if u, ok := field.Addr().Interface().(json.Unmarshaler); ok && f.Kind != KindTime && f.Kind != KindLocalTime {
		return unmarshalOwn(u, val) // a type that reads itself, such as WebhookAction
	}
	var x any
	var err error
	switch f.Kind {
	case KindInt:
		x, err = looseInt(f, val)
	case KindBool:
		x, err = looseBool(val)
	case KindText:
		x, err = looseText(val)
	case KindTime:
		var t Time
		t.Time, err = looseTime(val)
		x = t
	case KindLocalTime:
		var t LocalTime
		t.Time, err = looseTime(val)
		x = t
	case KindList:
		return setList(field, val)
	}
	if err != nil {
		return err
	}
	put(field, x)
	return nil
}

// unmarshalOwn hands a value to a type's own UnmarshalJSON, keeping the
// type's message when it is an application error.
func unmarshalOwn(u json.Unmarshaler, val any) error {
	b, err := json.Marshal(val)
	if err == nil {
		err = u.UnmarshalJSON(b)
	}
	var e *Error
	if err != nil && !errors.As(err, &e) {
		return fmt.Errorf("%s is not a valid value", describe(val))
	}
	return err
}

// put stores x in field, which is of x's type, of a type convertible from
// it (int from int64), or a pointer to either.
func put(field reflect.Value, x any) {
	target := field
	if field.Kind() == reflect.Pointer {
		target = reflect.New(field.Type().Elem()).Elem()
	}
	target.Set(reflect.ValueOf(x).Convert(target.Type()))
	if field.Kind() == reflect.Pointer {
		field.Set(target.Addr())
	}
}

func describe(val any) string {
	if s, ok := val.(string); ok {
		return strconv.Quote(s)
	}
	b, _ := json.Marshal(val)
	return string(b)
}

func looseInt(f *Field, val any) (int64, error) {
	var text string
	switch v := val.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil && text != "" {
		return n, nil
	}
	if n, ok := EnumValue(f.Enum, text); ok && text != "" {
		return n, nil
	}
	if f.Enum != "" {
		return 0, fmt.Errorf("%s is not a whole number or one of %s", describe(val), EnumNames(f.Enum))
	}
	return 0, fmt.Errorf("%s is not a whole number", describe(val))
}

func looseBool(val any) (bool, error) {
	switch v := val.(type) {
	case bool:
		return v, nil
	case string, json.Number:
		text := strings.TrimSpace(fmt.Sprint(v))
		if b, err := strconv.ParseBool(text); err == nil {
			return b, nil
		}
	}
	return false, fmt.Errorf("%s is not true or false", describe(val))
}

func looseText(val any) (string, error) {
	var s string
	switch v := val.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	default:
		return "", fmt.Errorf("%s is not a string", describe(val))
	}
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("must not contain NUL characters")
	}
	return s, nil
}

func looseTime(val any) (time.Time, error) {
	s, ok := val.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%s is not a date and time such as 2025-01-15T10:30:00Z", describe(val))
	}
	t, _, err := ParseTime(s)
	return t, err
}

func setList(field reflect.Value, val any) error {
	items, ok := val.([]any)
	if s, isString := val.(string); isString {
		items, ok = []any{}, true
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
	}
	if !ok {
		return fmt.Errorf("%s is not an array", describe(val))
	}
	out := reflect.MakeSlice(field.Type(), 0, len(items))
	for _, item := range items {
		var x any
		var err error
		switch field.Type().Elem().Kind() {
		case reflect.Int64:
			x, err = looseInt(&Field{}, item)
		default:
			x, err = looseText(item)
		}
		if err != nil {
			return fmt.Errorf("item %s", err.Error())
		}
		out = reflect.Append(out, reflect.ValueOf(x).Convert(field.Type().Elem()))
	}
	field.Set(out)
	return nil
}
