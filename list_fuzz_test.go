package checkin_test

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/internal/fuzztest"
)

// FuzzParseListQuery reads a list's query string for every entity. A
// query is either refused with an EINVALID error (never an internal one) or
// gives paging within the limits, an order and conditions on columns that
// exist, each with a value of its operator's type; and parsing it twice
// gives the same query.
func FuzzParseListQuery(f *testing.F) {
	for _, q := range []string{"", "page=2&size=10", "size=1001", "page=0", "page=2147483647&size=1000", "orderBy=FullName&dir=-1",
		"dir=Ascending", "dir=sideways", "id=[1,2,3]", "id=[]", "id=1,,2", "ID=[9223372036854775807]", "FailedCheckin_Business=3",
		"FailedCheckin_Coworker_FullName=Jane", "from_FailedCheckin_CheckinAttemptTime=2025-01-15T00:00&to_FailedCheckin_CheckinAttemptTime=2025-01-15",
		"from_Coworker_FullName=a", "Coworker_Active=maybe", "Coworker_Email=%25_%5C", "Coworker_FullName=a%00b", "Business_Nope=1",
		"to_Checkin_FromTime=9999-12-31T23:59:59.999999999Z", "Checkin_Coworker_Business_Name=x", "page=1&page=2"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		values, err := url.ParseQuery(raw)
		if err != nil {
			return // the handler refuses it before parsing (queryValues)
		}
		fuzztest.Within(t, 2*time.Second, raw, func() {
			for _, s := range checkin.Schemas() {
				q, err := s.ParseListQuery(values)
				if err != nil {
					var appErr *checkin.Error
					if !errors.As(err, &appErr) || appErr.Code != checkin.EINVALID || appErr.Message == "" {
						t.Errorf("%s?%s: error %#v, want an EINVALID with a message", s.Name, raw, err)
					}
					continue
				}
				checkListQuery(t, s, raw, q)
				if again, _ := s.ParseListQuery(values); !reflect.DeepEqual(again, q) {
					t.Errorf("%s?%s parses to %+v, then to %+v", s.Name, raw, q, again)
				}
			}
		})
	})
}

func checkListQuery(t *testing.T, s *checkin.Schema, raw string, q checkin.ListQuery) {
	if q.Page < 1 || q.Page > checkin.MaxPage || q.Size < 1 || q.Size > checkin.MaxPageSize || q.Offset() < 0 {
		t.Errorf("%s?%s: page %d, size %d, offset %d: out of bounds", s.Name, raw, q.Page, q.Size, q.Offset())
	}
	if q.OrderBy == nil || q.OrderBy.Column == "" {
		t.Errorf("%s?%s: ordered by %v, not a column", s.Name, raw, q.OrderBy)
	}
	for _, c := range q.Where {
		if c.Field == nil || c.Field.Column == "" || c.Via != nil && c.Via.Ref == "" {
			t.Errorf("%s?%s: a condition on %v via %v, not a column", s.Name, raw, c.Field, c.Via)
			continue
		}
		var ok bool
		switch c.Op {
		case checkin.OpIn:
			ids, isIDs := c.Value.([]int64)
			ok = isIDs && len(ids) > 0 && len(ids) <= 1000
		case checkin.OpContains:
			_, ok = c.Value.(string)
		case checkin.OpEq, checkin.OpGE, checkin.OpLE, checkin.OpLT:
			switch c.Value.(type) {
			case int64, bool, string, time.Time:
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s?%s: condition %v %v %#v", s.Name, raw, c.Field.Name, c.Op, c.Value)
		}
	}
}
