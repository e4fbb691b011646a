package checkin

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Paging limits of every list.
const (
	DefaultPageSize = 25
	MaxPageSize     = 1000
	MaxPage         = 1<<31 - 1 // so that page × size never overflows
	maxListIDs      = 1000
)

// Op is how a condition compares a field with its value.
type Op int

const (
	OpEq       Op = iota + 1 // equal
	OpContains               // text contains, case-insensitively
	OpGE                     // on or after / at least
	OpLE                     // at most
	OpLT                     // before (the end of a time range at its written precision)
	OpIn                     // one of a list of ids
	OpNull                   // empty: null, or an empty text
	OpListItem               // one item of a comma-separated list, whole
)

// Condition is one filter of a list.
type Condition struct {
	Via   *Field // a reference field of the listed entity, when filtering by the referenced record's Field
	Field *Field
	Op    Op
	Value any // int64, string, bool, time.Time, or []int64 for OpIn
}

// ListQuery is a parsed list request.
type ListQuery struct {
	Page, Size int
	OrderBy    *Field
	Desc       bool
	Where      []Condition
}

// Offset is the number of records before the page.
func (q ListQuery) Offset() int { return (q.Page - 1) * q.Size }

// DefaultListQuery returns the first page in the schema's default order.
func (s *Schema) DefaultListQuery() ListQuery {
	return ListQuery{Page: 1, Size: DefaultPageSize, OrderBy: s.Field(s.OrderBy), Desc: s.OrderDesc}
}

// ParseListQuery reads paging, ordering and filters from a list request's
// query string. Parameter names match case-insensitively. An unknown
// parameter or field, or a value that does not parse, is an EINVALID error
// that names it.
func (s *Schema) ParseListQuery(values url.Values) (ListQuery, error) {
	q := s.DefaultListQuery()
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys) // report errors in a stable order
	dir := ""
	for _, key := range keys {
		for _, raw := range values[key] {
			raw = strings.TrimSpace(raw)
			if err := s.parseParam(&q, key, raw, &dir); err != nil {
				return ListQuery{}, err
			}
		}
	}
	if dir != "" {
		switch strings.ToLower(dir) {
		case "1", "ascending", "asc":
			q.Desc = false
		case "-1", "descending", "desc":
			q.Desc = true
		default:
			return ListQuery{}, Invalid("dir", dir, "must be 1 or Ascending, -1 or Descending")
		}
	}
	return q, nil
}

func (s *Schema) parseParam(q *ListQuery, key, raw string, dir *string) error {
	var err error
	switch lower := strings.ToLower(key); lower {
	case "page":
		q.Page, err = strconv.Atoi(raw)
		if err != nil || q.Page < 1 || q.Page > MaxPage {
			return Invalid("page", raw, "must be a whole number from 1 to %d", MaxPage)
		}
	case "size":
		q.Size, err = strconv.Atoi(raw)
		if err != nil || q.Size < 1 || q.Size > MaxPageSize {
			return Invalid("size", raw, "must be a whole number from 1 to %d", MaxPageSize)
		}
	case "orderby":
		f := s.Field(raw)
		if f == nil || f.Column == "" {
			return Invalid("orderBy", raw, "is not a field of %s that lists can be ordered by", s.Name)
		}
		q.OrderBy, q.Desc = f, false
	case "dir":
		*dir = raw
	case "id":
		ids, err := parseIDList(raw)
		if err != nil {
			return Invalid("id", raw, "%s", err.Error())
		}
		if ids != nil {
			q.Where = append(q.Where, Condition{Field: s.Field("Id"), Op: OpIn, Value: ids})
		}
	default:
		return s.parseFilter(q, key, raw)
	}
	return nil
}

// parseFilter reads {Entity}_{Field}, {Entity}_{Ref}_{Field} and their
// from_ and to_ ranges.
func (s *Schema) parseFilter(q *ListQuery, key, raw string) error {
	name, rangeOp := key, Op(0)
	lower := strings.ToLower(key)
	switch {
	case strings.HasPrefix(lower, "from_"):
		name, rangeOp = key[len("from_"):], OpGE
	case strings.HasPrefix(lower, "to_"):
		name, rangeOp = key[len("to_"):], OpLE
	}
	prefix := strings.ToLower(s.Name) + "_"
	if !strings.HasPrefix(strings.ToLower(name), prefix) {
		return Invalid(key, raw, "is not a parameter of this list: use page, size, orderBy, dir, id, %s_{Field}, from_%s_{Field} or to_%s_{Field}", s.Name, s.Name, s.Name)
	}
	via, f := s.resolveFilterField(name[len(prefix):])
	if f == nil || f.Column == "" && !f.Credential || f.Kind == KindList {
		return Invalid(key, raw, "is not a field of %s that lists can be filtered by", s.Name)
	}
	if via != nil && (f.Credential || f.Column == "") {
		return Invalid(key, raw, "%s is a credential: it is filtered on %s itself (%s_%s), never through a reference", f.Name, via.Ref, via.Ref, f.Name)
	}
	if raw == "" {
		return nil // an empty filter box filters nothing
	}
	if rangeOp != 0 && f.Kind != KindInt && f.Kind != KindTime && f.Kind != KindLocalTime {
		return Invalid(key, raw, "ranges apply to dates and numbers only")
	}
	if strings.EqualFold(raw, "null") {
		if rangeOp != 0 {
			return Invalid(key, raw, "a range needs a value, not null")
		}
		q.Where = append(q.Where, Condition{Via: via, Field: f, Op: OpNull})
		return nil
	}
	conds, err := conditionsFor(f, rangeOp, raw)
	if err != nil {
		return Invalid(key, raw, "%s", err.Error())
	}
	for _, c := range conds {
		c.Via = via
		q.Where = append(q.Where, c)
	}
	return nil
}

// resolveFilterField finds "FullName" on the schema itself, or "Coworker" /
// "CoworkerId" (a reference, by id), or "Coworker_FullName" (a field of the
// referenced record).
func (s *Schema) resolveFilterField(name string) (via, f *Field) {
	for _, field := range s.Fields {
		if strings.EqualFold(field.Name, name) || strings.EqualFold(field.FilterName(), name) {
			return nil, field
		}
	}
	refName, rest, ok := strings.Cut(name, "_")
	if !ok {
		return nil, nil
	}
	for _, field := range s.Fields {
		if field.Ref != "" && strings.EqualFold(field.FilterName(), refName) {
			if target := Lookup(field.Ref); target != nil {
				if tf := target.Field(rest); tf != nil {
					return field, tf
				}
			}
		}
	}
	return nil, nil
}

func conditionsFor(f *Field, rangeOp Op, raw string) ([]Condition, error) {
	switch f.Kind {
	case KindInt:
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a whole number")
		}
		op := OpEq
		if rangeOp != 0 {
			op = rangeOp
		}
		return []Condition{{Field: f, Op: op, Value: n}}, nil
	case KindBool:
		b, err := strconv.ParseBool(strings.ToLower(raw))
		if err != nil {
			return nil, fmt.Errorf("must be true or false")
		}
		return []Condition{{Field: f, Op: OpEq, Value: b}}, nil
	case KindText:
		if hasNUL(raw) {
			return nil, fmt.Errorf("must not contain NUL characters")
		}
		if f.Credential {
			return credentialCondition(f, raw)
		}
		return []Condition{{Field: f, Op: OpContains, Value: raw}}, nil
	case KindTime, KindLocalTime:
		t, precision, err := ParseTime(raw)
		if err != nil {
			return nil, err
		}
		return timeConditions(f, rangeOp, t, precision), nil
	}
	return nil, fmt.Errorf("cannot be filtered")
}

// credentialCondition matches a credential whole, spelled as it is stored,
// so that a filter cannot find pincodes or cards by a part of them: a
// pincode or key fob is the value; a card is one of a comma-separated list;
// a device is one of a user's MAC addresses, in any spelling.
func credentialCondition(f *Field, raw string) ([]Condition, error) {
	switch f.Name {
	case "AccessCardId":
		return []Condition{{Field: f, Op: OpListItem, Value: NormalizeCard(raw)}}, nil
	case "KeyFobNumber":
		return []Condition{{Field: f, Op: OpEq, Value: NormalizeCard(raw)}}, nil
	case "Devices":
		mac, ok := NormalizeMAC(raw)
		if !ok {
			return nil, fmt.Errorf("is not a MAC address such as AA:BB:CC:DD:EE:FF")
		}
		return []Condition{{Field: f, Op: OpEq, Value: mac}}, nil
	}
	return []Condition{{Field: f, Op: OpEq, Value: strings.TrimSpace(raw)}}, nil
}

// timeConditions turns a time written to some precision into conditions:
// "2025-01-15" as a filter means that whole day; as the end of a range it
// includes that whole day. The databases keep microseconds, so a time
// written to the nanosecond ends at its microsecond's end (PostgreSQL
// would round t plus a nanosecond down to t, and leave t out).
func timeConditions(f *Field, rangeOp Op, t time.Time, precision time.Duration) []Condition {
	end := t.Add(max(precision, time.Microsecond))
	switch rangeOp {
	case OpGE:
		return []Condition{{Field: f, Op: OpGE, Value: t}}
	case OpLE:
		return []Condition{{Field: f, Op: OpLT, Value: end}}
	}
	if precision <= time.Microsecond {
		return []Condition{{Field: f, Op: OpEq, Value: t}}
	}
	return []Condition{{Field: f, Op: OpGE, Value: t}, {Field: f, Op: OpLT, Value: end}}
}

// parseIDList reads "[1,2,3]" or "1,2,3".
func parseIDList(raw string) ([]int64, error) {
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "["), "]")
	var ids []int64
	for item := range strings.SplitSeq(raw, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, err := strconv.ParseInt(item, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("must be a list of ids such as [1,2,3]")
		}
		ids = append(ids, id)
	}
	if len(ids) > maxListIDs {
		return nil, fmt.Errorf("may name at most %d ids", maxListIDs)
	}
	if ids == nil && raw != "" {
		return nil, fmt.Errorf("must be a list of ids such as [1,2,3]")
	}
	return ids, nil
}

// Page is one page of a list, in the Nexudus envelope.
type Page[T any] struct {
	Records              []*T   `json:"Records"`
	CurrentPageSize      int    `json:"CurrentPageSize"`
	CurrentPage          int    `json:"CurrentPage"`
	CurrentOrderField    string `json:"CurrentOrderField"`
	CurrentSortDirection int    `json:"CurrentSortDirection"`
	FirstItem            int    `json:"FirstItem"`
	HasNextPage          bool   `json:"HasNextPage"`
	HasPreviousPage      bool   `json:"HasPreviousPage"`
	LastItem             int    `json:"LastItem"`
	PageNumber           int    `json:"PageNumber"`
	PageSize             int    `json:"PageSize"`
	TotalItems           int    `json:"TotalItems"`
	TotalPages           int    `json:"TotalPages"`
}

// NewPage wraps records found by q, out of total, in the list envelope.
func NewPage[T any](q ListQuery, records []*T, total int) Page[T] {
	if records == nil {
		records = []*T{}
	}
	p := Page[T]{
		Records: records, CurrentPageSize: len(records), CurrentPage: q.Page,
		CurrentOrderField: q.OrderBy.Name, CurrentSortDirection: 1,
		PageNumber: q.Page, PageSize: q.Size, TotalItems: total,
		TotalPages:      (total + q.Size - 1) / q.Size,
		HasPreviousPage: q.Page > 1,
	}
	if q.Desc {
		p.CurrentSortDirection = -1
	}
	if len(records) > 0 {
		p.FirstItem = q.Offset() + 1
		p.LastItem = q.Offset() + len(records)
	}
	p.HasNextPage = q.Offset()+len(records) < total
	return p
}
