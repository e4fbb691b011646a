package httpapi_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

// listIDs lists path?query and returns the ids of the records, in order.
func listIDs(t *testing.T, a *apitest.API, path, query string) []int64 {
	t.Helper()
	return recordIDs(t, a.Get(a.AdminToken(), path+"?"+query))
}

// recordIDs returns the ids of a page's records, in order.
func recordIDs(t *testing.T, page map[string]any) []int64 {
	t.Helper()
	ids := []int64{}
	for _, rec := range page["Records"].([]any) {
		ids = append(ids, apitest.Int(t, rec.(map[string]any)["Id"]))
	}
	return ids
}

// failedAttempts seeds five refused attempts at two locations, one a
// minute's or a day's distance from the next, and returns the ids of the
// locations, of Jane, and of the attempts in the order made.
func failedAttempts(t *testing.T, a *apitest.API) (alpha, beta, jane int64, ids []int64) {
	t.Helper()
	admin := a.AdminToken()
	alpha = a.Create(admin, businessesPath, map[string]any{"Name": "Alpha", "WebAddress": "alpha"})
	beta = a.Create(admin, businessesPath, map[string]any{"Name": "Beta", "WebAddress": "beta"})
	jane = a.Create(admin, coworkersPath, map[string]any{"BusinessId": alpha, "FullName": "Jane Doe", "Email": "jane@example.com"})
	john := a.Create(admin, coworkersPath, map[string]any{"BusinessId": alpha, "FullName": "John Smith", "Email": "john@example.com"})
	sam := a.Create(admin, coworkersPath, map[string]any{"BusinessId": beta, "FullName": "Sam Lee", "Email": "sam@example.com"})
	for _, f := range []struct {
		at          string
		member, loc int64
		source      int64
		description string
	}{
		{"2025-01-15T09:00:00Z", jane, alpha, 1, "Inactive plan"},
		{"2025-01-15T18:00:00Z", jane, alpha, 2, "No valid pass"},
		{"2025-01-16T09:00:00Z", john, alpha, 3, "Unrecognised device"},
		{"2025-01-17T09:00:00Z", sam, beta, 2, "Account disabled"},
		{"2025-01-17T12:00:00Z", 0, alpha, 3, "Unrecognised device"},
	} {
		at, _ := time.Parse(time.RFC3339, f.at)
		a.Clock.Set(at)
		if f.member == 0 {
			ids = append(ids, a.AddFailedCheckin(&checkin.FailedCheckin{BusinessID: f.loc, Source: f.source, Description: &f.description,
				MacAddresses: checkin.StringPtr("AA:BB:CC:00:00:05")}))
			continue
		}
		ids = append(ids, seedFailedCheckin(t, a, f.loc, f.member, f.source, f.description))
	}
	return alpha, beta, jane, ids
}

func TestListFiltersRangesAndOrder(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		alpha, beta, jane, f := failedAttempts(t, a)
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"", []int64{f[4], f[3], f[2], f[1], f[0]}},
			{fmt.Sprintf("FailedCheckin_Coworker=%d", jane), []int64{f[1], f[0]}},
			{"FailedCheckin_Coworker_FullName=jane", []int64{f[1], f[0]}},
			{"failedcheckin_coworker_fullname=JANE", []int64{f[1], f[0]}},
			{"FailedCheckin_Coworker_FullName=Doe+Jane", []int64{}},
			{fmt.Sprintf("FailedCheckin_Business=%d", beta), []int64{f[3]}},
			{fmt.Sprintf("FailedCheckin_BusinessId=%d", alpha), []int64{f[4], f[2], f[1], f[0]}},
			{"FailedCheckin_Business_Name=ALPH", []int64{f[4], f[2], f[1], f[0]}},
			{"FailedCheckin_Source=2", []int64{f[3], f[1]}},
			{"FailedCheckin_Source=", []int64{f[4], f[3], f[2], f[1], f[0]}},
			{"FailedCheckin_Description=DEVICE", []int64{f[4], f[2]}},
			{"FailedCheckin_Description=50%25", []int64{}},
			{"FailedCheckin_MacAddresses=00:05", []int64{f[4]}},
			{"FailedCheckin_Coworker_FullName=jane&FailedCheckin_Source=2", []int64{f[1]}},
			{"from_FailedCheckin_CheckinAttemptTime=2025-01-16T09:00", []int64{f[4], f[3], f[2]}},
			{"to_FailedCheckin_CheckinAttemptTime=2025-01-15T18:00", []int64{f[1], f[0]}},
			{"FROM_FailedCheckin_CheckinAttemptTime=2025-01-15&To_FailedCheckin_CheckinAttemptTime=2025-01-15", []int64{f[1], f[0]}},
			{"FailedCheckin_CheckinAttemptTime=2025-01-16", []int64{f[2]}},
			{"FailedCheckin_CheckinAttemptTime=2025-01-15T18:00:00Z", []int64{f[1]}},
			{"from_FailedCheckin_CheckinAttemptTimeLocal=2025-01-17", []int64{f[3]}},
			{"from_FailedCheckin_Source=2&to_FailedCheckin_Source=2", []int64{f[3], f[1]}},
			{"from_FailedCheckin_Source=3", []int64{f[4], f[2]}},
			{fmt.Sprintf("id=[%d,%d,999999]", f[0], f[2]), []int64{f[2], f[0]}},
			{fmt.Sprintf("ID=%d", f[3]), []int64{f[3]}},
			{"orderBy=CheckinAttemptTime&dir=1", []int64{f[0], f[1], f[2], f[3], f[4]}},
			{"orderBy=CheckinAttemptTime&dir=Ascending", []int64{f[0], f[1], f[2], f[3], f[4]}},
			{"dir=-1&orderBy=CheckinAttemptTime", []int64{f[4], f[3], f[2], f[1], f[0]}},
			{"orderBy=checkinattempttime&dir=descending", []int64{f[4], f[3], f[2], f[1], f[0]}},
			{"orderBy=Source", []int64{f[0], f[1], f[3], f[2], f[4]}},
			{"ORDERBY=Source&DIR=-1", []int64{f[4], f[2], f[3], f[1], f[0]}},
			{"orderBy=Description&dir=1", []int64{f[3], f[0], f[1], f[2], f[4]}},
		} {
			if got := listIDs(t, a, failedCheckinsPath, tc.query); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: ids %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}

func TestListFiltersByTextAndFlag(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		jane := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Jane", "Email": "jane@example.com"})
		sam := a.Create(admin, coworkersPath, map[string]any{"BusinessId": loc, "FullName": "Sam", "Email": "sam@example.org", "Active": false})
		for _, tc := range []struct {
			query string
			want  []int64
		}{
			{"Coworker_Active=true", []int64{jane}},
			{"Coworker_Active=False", []int64{sam}},
			{"Coworker_Email=EXAMPLE.", []int64{jane, sam}},
			{"Coworker_Email=.org", []int64{sam}},
			{"Coworker_User_Email=jane@", []int64{jane}},
		} {
			if got := listIDs(t, a, coworkersPath, tc.query); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: ids %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}

func TestListPaging(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		var teams []int64
		for i := range 30 {
			teams = append(teams, a.Create(a.AdminToken(), "/api/spaces/teams", map[string]any{"BusinessId": loc, "Name": fmt.Sprintf("Team %02d", i)}))
		}
		for _, tc := range []struct {
			query                          string
			want                           []int64
			first, last, pages, size, page int64
			next, previous                 bool
		}{
			{"", teams[:25], 1, 25, 2, 25, 1, true, false},
			{"page=2", teams[25:], 26, 30, 2, 25, 2, false, true},
			{"Page=3&SIZE=10", teams[20:], 21, 30, 3, 10, 3, false, true},
			{"size=1000", teams, 1, 30, 1, 1000, 1, false, false},
			{"page=4&size=10", []int64{}, 0, 0, 3, 10, 4, false, true},
		} {
			page := a.Get(a.AdminToken(), "/api/spaces/teams?"+tc.query)
			want := map[string]any{"FirstItem": jsonInt(tc.first), "LastItem": jsonInt(tc.last), "TotalPages": jsonInt(tc.pages),
				"PageSize": jsonInt(tc.size), "CurrentPage": jsonInt(tc.page), "PageNumber": jsonInt(tc.page), "TotalItems": jsonInt(30),
				"CurrentPageSize": jsonInt(int64(len(tc.want))), "HasNextPage": tc.next, "HasPreviousPage": tc.previous}
			wantFields(t, tc.query, page, want)
			if got := recordIDs(t, page); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%q: ids %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}

func TestListRefusesWhatItCannotRead(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		failedAttempts(t, a)
		for _, tc := range []struct{ query, param string }{
			{"size=0", "size"},
			{"size=1001", "size"},
			{"SIZE=ten", "size"},
			{"page=0", "page"},
			{"page=first", "page"},
			{"page=9223372036854775807", "page"},
			{"page=4611686018427387905&size=2", "page"},
			{"FailedCheckin_Description=50%", "FailedCheckin_Description"},
			{"FailedCheckin_Description=a;b", "FailedCheckin_Description"},
			{"dir=up", "dir"},
			{"orderBy=Nope", "orderBy"},
			{"orderBy=Teams", "orderBy"},
			{"id=[1,x]", "id"},
			{"Nope=1", "Nope"},
			{"Coworker_FullName=Jane", "Coworker_FullName"},
			{"FailedCheckin_Nope=1", "FailedCheckin_Nope"},
			{"FailedCheckin_Coworker_Nope=1", "FailedCheckin_Coworker_Nope"},
			{"FailedCheckin_Source=two", "FailedCheckin_Source"},
			{"FailedCheckin_Coworker=Jane", "FailedCheckin_Coworker"},
			{"FailedCheckin_Source=99999999999999999999", "FailedCheckin_Source"},
			{"FailedCheckin_CheckinAttemptTime=yesterday", "FailedCheckin_CheckinAttemptTime"},
			{"from_FailedCheckin_CheckinAttemptTime=2025-13-01", "from_FailedCheckin_CheckinAttemptTime"},
			{"from_FailedCheckin_Description=a", "from_FailedCheckin_Description"},
			{"to_FailedCheckin_LocalizationDetails=a", "to_FailedCheckin_LocalizationDetails"},
		} {
			r := a.Do("GET", failedCheckinsPath+"?"+tc.query, a.AdminToken(), nil)
			wantFieldError(t, r, tc.param)
			if !strings.Contains(string(r.Body), tc.param) {
				t.Errorf("%s: the answer does not name %s: %s", tc.query, tc.param, r)
			}
		}
		if r := a.Do("GET", "/api/spaces/coworkers?Coworker_Active=maybe", a.AdminToken(), nil); r.Status != http.StatusBadRequest {
			t.Errorf("Coworker_Active=maybe: got %s, want 400", r)
		}
	})
}
