package httpapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// wantFieldError checks a 400 in Nexudus's shape of a validation failure
// that names field, and returns the entry about it.
func wantFieldError(t *testing.T, r *apitest.Response, field string) map[string]any {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Errorf("got %s, want 400 about %s", r, field)
		return nil
	}
	body := r.Object(t)
	if len(body) != 4 || body["Value"] != nil || body["WasSuccessful"] != false {
		t.Errorf("body = %v, want exactly Message, Value null, WasSuccessful false and Errors", body)
	}
	if msg, _ := body["Message"].(string); !strings.Contains(msg, field+": ") {
		t.Errorf("Message = %q, want it to say %q", msg, field+": reason")
	}
	errs, _ := body["Errors"].([]any)
	var found map[string]any
	for _, e := range errs {
		entry := e.(map[string]any)
		if _, ok := entry["AttemptedValue"]; !ok || len(entry) != 3 || entry["Message"] == "" {
			t.Errorf("Errors entry = %v, want AttemptedValue, Message and PropertyName", entry)
		}
		if entry["PropertyName"] == field {
			found = entry
		}
	}
	if found == nil {
		t.Errorf("Errors = %v, want an entry with PropertyName %s", body["Errors"], field)
	}
	return found
}

func TestCreateNamesEveryMissingRequiredField(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for _, s := range writableSchemas() {
			r := a.Do("POST", s.Path, a.AdminToken(), map[string]any{})
			for _, f := range s.Fields {
				if f.Required {
					if e := wantFieldError(t, r, f.Name); e != nil && e["Message"] != "is required" {
						t.Errorf("%s.%s: Message = %v, want %q", s.Name, f.Name, e["Message"], "is required")
					}
				}
			}
		}
	})
}

// wrongTypeValues are values of the wrong JSON type for each kind of field,
// even read loosely (loose_test.go): a number or boolean in a string, a
// number for a text and a comma-separated list are accepted.
var wrongTypeValues = map[checkin.Kind]any{
	checkin.KindInt:       "twelve",
	checkin.KindText:      true,
	checkin.KindBool:      "yes",
	checkin.KindTime:      "yesterday",
	checkin.KindLocalTime: "yesterday",
	checkin.KindList:      map[string]any{"a": 1},
}

func TestEveryWritableFieldRefusesAValueOfTheWrongType(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		for _, s := range writableSchemas() {
			for _, f := range s.Fields {
				if f.ReadOnly {
					continue
				}
				body := a.Sample(s.Name, loc)
				body[f.Name] = wrongTypeValues[f.Kind]
				r := a.Do("POST", s.Path, a.AdminToken(), body)
				if e := wantFieldError(t, r, f.Name); e != nil && fmt.Sprint(e["AttemptedValue"]) != fmt.Sprint(body[f.Name]) {
					t.Errorf("%s.%s: AttemptedValue = %#v, want %#v", s.Name, f.Name, e["AttemptedValue"], body[f.Name])
				}
			}
		}
	})
}

func TestUnreadableBodiesAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		path := apitest.Path("Team")
		for _, tc := range []struct {
			name       string
			body       string
			header     string
			wantStatus int
			wantText   string
		}{
			{"not JSON", "Name=Blue", "", http.StatusBadRequest, "JSON object"},
			{"an array", `[{"Name":"Blue"}]`, "", http.StatusBadRequest, "JSON object"},
			{"null", `null`, "", http.StatusBadRequest, "JSON object"},
			{"empty", ``, "", http.StatusBadRequest, "JSON object"},
			{"JSON sent as a form", `{"Name":"Blue"}`, "Content-Type: application/x-www-form-urlencoded", http.StatusBadRequest, "is required"},
			{"XML", `<Name>Blue</Name>`, "Content-Type: application/xml", http.StatusUnsupportedMediaType, "application/json"},
			{"too large", `{"Name":"` + strings.Repeat("x", 65<<10) + `"}`, "", http.StatusRequestEntityTooLarge, "larger than 64 KiB"},
			{"nested too deep", `{"Name":` + strings.Repeat("[", 50) + strings.Repeat("]", 50) + `}`, "", http.StatusBadRequest, "deeper than"},
		} {
			for _, method := range []string{"POST", "PUT"} {
				r := a.Do(method, path, a.AdminToken(), tc.body, tc.header)
				msg, _ := r.Object(t)["Message"].(string)
				if r.Status != tc.wantStatus || !strings.Contains(msg, tc.wantText) {
					t.Errorf("%s %s: got %s, want %d saying %q", method, tc.name, r, tc.wantStatus, tc.wantText)
				}
			}
		}
	})
}

// refFields returns the writable reference fields of a schema, but its own
// location.
func refFields(s *checkin.Schema) []*checkin.Field {
	var out []*checkin.Field
	for _, f := range s.Fields {
		if f.Ref != "" && !f.ReadOnly {
			out = append(out, f)
		}
	}
	return out
}

func TestReferencesToMissingRecordsAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		for _, s := range writableSchemas() {
			for _, f := range refFields(s) {
				body := a.Sample(s.Name, loc)
				body[f.Name] = 999999
				r := a.Do("POST", s.Path, a.AdminToken(), body)
				if e := wantFieldError(t, r, f.Name); e != nil && !strings.Contains(fmt.Sprint(e["Message"]), "999999") {
					t.Errorf("%s.%s: Message = %v, want it to name the missing record", s.Name, f.Name, e["Message"])
				}
			}
		}
	})
}

func TestReferencesToAnotherLocationAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc, elsewhere := a.NewLocation(), a.NewLocation() // two networks
		admin := a.AdminToken()
		for _, s := range writableSchemas() {
			for _, f := range refFields(s) {
				if f.Name == "BusinessId" || checkin.Lookup(f.Ref).Field("BusinessId") == nil {
					continue
				}
				other := a.Create(admin, apitest.Path(f.Ref), a.Sample(f.Ref, elsewhere))
				body := a.Sample(s.Name, loc)
				body[f.Name] = other
				wantFieldError(t, a.Do("POST", s.Path, admin, body), f.Name)
				existing := a.Sample(s.Name, loc)
				existing["Id"] = a.Create(admin, s.Path, existing)
				existing[f.Name] = other
				wantFieldError(t, a.Do("PUT", s.Path, admin, existing), f.Name)
			}
		}
		coworker := a.Sample("Coworker", loc)
		coworker["Teams"] = []int64{a.Create(admin, apitest.Path("Team"), a.Sample("Team", elsewhere))}
		wantFieldError(t, a.Do("POST", apitest.Path("Coworker"), admin, coworker), "Teams")
	})
}

func TestDeletingARecordStillReferredToIsAConflict(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		for _, tc := range []struct {
			referenced, by, field string
		}{
			{"Business", "Team", "BusinessId"},
			{"Business", "Coworker", "BusinessId"},
			{"Tariff", "Coworker", "TariffId"},
			{"Coworker", "Checkin", "CoworkerId"},
		} {
			target := loc
			if tc.referenced != "Business" {
				target = a.Create(admin, apitest.Path(tc.referenced), a.Sample(tc.referenced, loc))
			}
			body := a.Sample(tc.by, loc)
			body[tc.field] = target
			a.Create(admin, apitest.Path(tc.by), body)
			path := fmt.Sprintf("%s/%d", apitest.Path(tc.referenced), target)
			if r := a.Do("DELETE", path, admin, nil); r.Status != http.StatusConflict {
				t.Errorf("delete a %s used by a %s: got %s, want 409", tc.referenced, tc.by, r)
			}
			a.Get(admin, path) // still there
		}
		person := a.Sample("User", 0)
		user := a.Create(admin, apitest.Path("User"), person)
		member := a.Sample("Coworker", loc)
		member["Email"] = person["Email"]
		a.Create(admin, apitest.Path("Coworker"), member)
		if r := a.Do("DELETE", fmt.Sprintf("/api/sys/users/%d", user), admin, nil); r.Status != http.StatusConflict {
			t.Errorf("delete a user with a member profile: got %s, want 409", r)
		}
	})
}

// has reports whether a JSON array holds v, compared as text.
func has(list any, v any) bool {
	items, _ := list.([]any)
	return slices.ContainsFunc(items, func(item any) bool { return fmt.Sprint(item) == fmt.Sprint(v) })
}

func TestPathIdsMustBeWholeNumbers(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		for _, s := range checkin.Schemas() {
			methods := []string{"GET"}
			if !s.ReadOnly {
				methods = append(methods, "DELETE")
			}
			for _, method := range methods {
				for _, id := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
					wantFieldError(t, a.Do(method, s.Path+"/"+id, a.AdminToken(), nil), "Id")
				}
			}
		}
	})
}
