package httpapi_test

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// oddValues are values at the edges of what each kind of field can hold.
var oddValues = map[checkin.Kind][]any{
	checkin.KindText:      {"a\x00b", strings.Repeat("x", 60000), "😀 ünïcödé", "' OR 1=1 --", `%_\`},
	checkin.KindInt:       {int64(math.MaxInt64), int64(math.MinInt64), 0, -1, 1e300},
	checkin.KindBool:      {true, false},
	checkin.KindTime:      {"0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-02-30T00:00:00Z", "2025-01-15T10:30:00+14:00", "2025-01-15T10:30:00.123456789Z"},
	checkin.KindLocalTime: {"0000-01-01T00:00:00", "9999-12-31T23:59:59"},
	checkin.KindList:      {[]any{int64(math.MaxInt64)}, []any{-1}, []any{}, []any{nil}, []any{"", "x\x00"}},
}

func TestOddValuesNeverCauseServerErrors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		for _, s := range writableSchemas() {
			for _, f := range s.Fields {
				for i, v := range oddValues[f.Kind] {
					methods := []string{"POST"}
					if i == 0 { // a replace reads the body as a create does: one value is enough
						methods = append(methods, "PUT")
					}
					for _, method := range methods {
						body := a.Sample(s.Name, loc)
						if method == "PUT" {
							body["Id"] = a.Create(a.AdminToken(), s.Path, body)
						}
						body[f.Name] = v
						if r := a.Do(method, s.Path, a.AdminToken(), body); r.Status >= http.StatusInternalServerError {
							t.Errorf("%s %s with %s = %.40q: got %s", method, s.Name, f.Name, fmt.Sprint(v), r)
						}
					}
				}
			}
		}
	})
}

// oddFilterValues are filter values at the edges of each kind of field.
var oddFilterValues = map[checkin.Kind][]string{
	checkin.KindText:      {"a\x00b", "😀", "%", "_", `\`},
	checkin.KindInt:       {"9223372036854775807", "-9223372036854775808", "2147483648"},
	checkin.KindBool:      {"maybe"},
	checkin.KindTime:      {"0000-01-01", "9999-12-31T23:59"},
	checkin.KindLocalTime: {"0000-01-01", "9999-12-31T23:59"},
}

func TestOddFilterValuesNeverCauseServerErrors(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		failedAttempts(t, a)
		for _, s := range checkin.Schemas() {
			for _, f := range s.Fields {
				prefixes := []string{""}
				if f.Kind == checkin.KindInt || f.Kind == checkin.KindTime || f.Kind == checkin.KindLocalTime {
					prefixes = append(prefixes, "from_", "to_")
				}
				for _, v := range oddFilterValues[f.Kind] {
					for _, prefix := range prefixes {
						query := url.Values{prefix + s.Name + "_" + f.FilterName(): {v}}.Encode()
						if r := a.Do("GET", s.Path+"?"+query, a.AdminToken(), nil); r.Status >= http.StatusInternalServerError {
							t.Errorf("GET %s?%s: got %s", s.Path, query, r)
						}
					}
				}
			}
		}
		for _, form := range []url.Values{
			{"grant_type": {"password"}, "username": {"a\x00b@example.com"}, "password": {"x\x00y-password"}},
			{"grant_type": {"refresh_token"}, "refresh_token": {"a\x00b"}},
		} {
			if r := a.Do("POST", "/api/token", "", form); r.Status != http.StatusBadRequest {
				t.Errorf("POST /api/token %v: got %s, want 400", form, r)
			}
		}
	})
}
