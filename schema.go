package checkin

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// Kind says how a field is stored, filtered and written.
type Kind int

const (
	KindInt       Kind = iota + 1 // int, int64, *int64
	KindText                      // string, *string
	KindBool                      // bool
	KindTime                      // Time, *Time: an instant
	KindLocalTime                 // LocalTime, *LocalTime: a wall-clock time
	KindList                      // []int64, []string: kept beside the record, left out of lists
)

// Field is one field of an entity, as the API names it.
type Field struct {
	Name     string // JSON, filter and order name, e.g. "BusinessId"
	Column   string // SQL column; empty when the field is not a column of the entity's table
	Kind     Kind
	Nullable bool
	Ref      string // for id fields: the name of the referenced entity, e.g. "Business"
	Required bool   // required on create and replace
	ReadOnly bool   // set by the service; ignored in requests
	// WriteOnly fields are accepted in requests and never shown (a
	// password, a webhook's secret).
	WriteOnly bool
	// Enum names the enumeration (RegisterEnum) whose names the field
	// accepts besides its numbers, e.g. "CheckinSource".
	Enum string
	// Credential marks a secret that opens a door (a pincode, a card, a
	// device): a filter matches it whole, never a part of it, and never
	// through a reference.
	Credential bool
	index      []int
}

// FilterName is the name a list filter uses for the field: a reference is
// named without its "Id" ("FailedCheckin_Coworker").
func (f *Field) FilterName() string {
	if f.Ref != "" {
		return strings.TrimSuffix(f.Name, "Id")
	}
	return f.Name
}

// Schema describes an entity once, for every layer: its API name and path,
// its fields (from the record type's struct tags), its table and its default
// order. The struct tags are:
//
//	json:"Name"                     the field's API name (and, in snake case, its column)
//	api:"required"                  required on create and replace
//	api:"readonly"                  set by the service only
//	api:"ref=Business"              an id of another entity
//	api:"nocolumn"                  not a column of the entity's table
//	api:"writeonly"                 accepted in requests, never shown
//	api:"enum=CheckinSource"        also accepts the names of that enumeration
//	api:"credential"                filtered by the whole value only
//
// Slice fields are collections: never columns, never filters, left out of lists.
type Schema struct {
	Name      string // "Coworker": role and filter prefix
	Path      string // "/api/spaces/coworkers"
	Table     string // "coworkers"
	OrderBy   string // default order field
	OrderDesc bool   // default direction
	ReadOnly  bool   // no create, replace or delete through the API
	Fields    []*Field
	byName    map[string]*Field
	typ       reflect.Type
}

// Entity is the schema of record type T.
type Entity[T any] struct{ *Schema }

var registry = map[string]*Schema{}

// Define builds the schema of T from its struct tags and registers it.
// It panics on a malformed declaration: that is a programming error.
func Define[T any](s Schema) *Entity[T] {
	s.typ = reflect.TypeFor[T]()
	s.byName = map[string]*Field{}
	s.Fields = fieldsOf(s.typ, nil)
	for _, f := range s.Fields {
		s.byName[strings.ToLower(f.Name)] = f
	}
	if s.OrderBy == "" {
		s.OrderBy = "Id"
	}
	if s.Field(s.OrderBy) == nil {
		panic("checkin: " + s.Name + " orders by unknown field " + s.OrderBy)
	}
	registry[strings.ToLower(s.Name)] = &s
	return &Entity[T]{&s}
}

// Lookup returns the schema of the entity with that name, case-insensitively.
func Lookup(name string) *Schema { return registry[strings.ToLower(name)] }

// Schemas returns every registered schema, ordered by name.
func Schemas() []*Schema {
	out := make([]*Schema, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Field returns the field with that name, case-insensitively, or nil.
func (s *Schema) Field(name string) *Field { return s.byName[strings.ToLower(name)] }

// Columns returns the fields stored as columns of the entity's table.
func (s *Schema) Columns() []*Field {
	var out []*Field
	for _, f := range s.Fields {
		if f.Column != "" {
			out = append(out, f)
		}
	}
	return out
}

// New returns a new record of T with its defaults applied.
func (e *Entity[T]) New() *T {
	rec := new(T)
	if d, ok := any(rec).(interface{ SetDefaults() }); ok {
		d.SetDefaults()
	}
	return rec
}

func fieldsOf(t reflect.Type, index []int) []*Field {
	var out []*Field
	for i := range t.NumField() {
		sf := t.Field(i)
		idx := append(append([]int(nil), index...), i)
		if sf.Anonymous {
			out = append(out, fieldsOf(sf.Type, idx)...)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "" || name == "-" || !sf.IsExported() {
			continue
		}
		f := &Field{Name: name, index: idx}
		f.Kind, f.Nullable = kindOf(sf.Type)
		if f.Kind == 0 {
			panic(fmt.Sprintf("checkin: field %s has unsupported type %s", name, sf.Type))
		}
		column := f.Kind != KindList
		for opt := range strings.SplitSeq(sf.Tag.Get("api"), ",") {
			switch key, val, _ := strings.Cut(opt, "="); key {
			case "required":
				f.Required = true
			case "readonly":
				f.ReadOnly = true
			case "ref":
				f.Ref = val
			case "nocolumn":
				column = false
			case "writeonly":
				f.WriteOnly = true
			case "enum":
				f.Enum = val
			case "credential":
				f.Credential = true
			case "":
			default:
				panic("checkin: field " + name + " has unknown api tag " + opt)
			}
		}
		if column {
			f.Column = snakeCase(name)
		}
		out = append(out, f)
	}
	return out
}

var (
	timeType      = reflect.TypeFor[Time]()
	localTimeType = reflect.TypeFor[LocalTime]()
)

func kindOf(t reflect.Type) (Kind, bool) {
	nullable := false
	if t.Kind() == reflect.Pointer {
		nullable, t = true, t.Elem()
	}
	switch {
	case t == timeType:
		return KindTime, nullable
	case t == localTimeType:
		return KindLocalTime, nullable
	case t.Kind() == reflect.Int64 || t.Kind() == reflect.Int:
		return KindInt, nullable
	case t.Kind() == reflect.String:
		return KindText, nullable
	case t.Kind() == reflect.Bool && !nullable:
		return KindBool, false
	case t.Kind() == reflect.Slice && !nullable:
		return KindList, false
	}
	return 0, false
}

// hasNUL reports whether a text, or an item of a list of texts, holds a NUL
// character, which no database column can store.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.ContainsRune(v, 0)
	case *string:
		return v != nil && strings.ContainsRune(*v, 0)
	case []string:
		return slices.ContainsFunc(v, func(s string) bool { return strings.ContainsRune(s, 0) })
	}
	return false
}

// snakeCase turns an API name into a column name: CheckinAttemptTime → checkin_attempt_time.
func snakeCase(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 && !unicode.IsUpper(rune(s[i-1])) {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Ptr returns a pointer to the field of rec (a pointer to the schema's type),
// for scanning and decoding.
func (f *Field) Ptr(rec any) any {
	return reflect.ValueOf(rec).Elem().FieldByIndex(f.index).Addr().Interface()
}

// Value returns the field's value in rec, for binding as a query argument.
func (f *Field) Value(rec any) any {
	return reflect.ValueOf(rec).Elem().FieldByIndex(f.index).Interface()
}

// Copy sets the field of dst to its value in src.
func (f *Field) Copy(dst, src any) {
	reflect.ValueOf(dst).Elem().FieldByIndex(f.index).Set(reflect.ValueOf(src).Elem().FieldByIndex(f.index))
}

// Clear sets the field of rec to its zero value.
func (f *Field) Clear(rec any) {
	v := reflect.ValueOf(rec).Elem().FieldByIndex(f.index)
	v.Set(reflect.Zero(v.Type()))
}

// IsZero reports whether the field of rec holds its zero value.
func (f *Field) IsZero(rec any) bool {
	return reflect.ValueOf(rec).Elem().FieldByIndex(f.index).IsZero()
}
