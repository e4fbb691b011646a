package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/internal/fuzztest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// FuzzListEndpoint sends any query string to every entity's list, as an
// administrator, through the whole handler over a SQLite store in a
// temporary directory: the parsed query reaches SQL, which must never fail.
// The answer is a page (200) or a validation error (400), in JSON.
func FuzzListEndpoint(f *testing.F) {
	a := apitest.New(f, "sqlite", checkin.NewManualClock(storetest.Start))
	admin := a.AdminToken()
	loc := a.NewLocation()
	for _, s := range writableSchemas() { // a record of each entity to list
		a.Create(admin, s.Path, a.Sample(s.Name, loc))
	}
	a.AddFailedCheckin(&checkin.FailedCheckin{BusinessID: loc, Source: checkin.SourceManual, Description: checkin.StringPtr("Wrong pincode")})
	handler := a.Server.Handler()
	for _, q := range []string{"", "page=2&size=1", "orderBy=CreatedOn&dir=-1", "id=[1,2,3]",
		"FailedCheckin_Coworker_FullName=jane", "from_FailedCheckin_CheckinAttemptTime=2025-01-15&to_FailedCheckin_CheckinAttemptTime=2030",
		"Coworker_Email=%25", "Coworker_FullName=_", "Checkin_FromTime=0000-01-01", "to_Checkin_FromTime=9999-12-31T23:59:59.999999999Z",
		"Business_NetworkId=9223372036854775807", "page=2147483647&size=1000", "FailedCheckin_Source=-9223372036854775808"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		fuzztest.Within(t, 10*time.Second, rawQuery, func() {
			for _, s := range checkin.Schemas() {
				req := httptest.NewRequest("GET", "/", nil)
				req.URL.Path, req.URL.RawQuery = s.Path, rawQuery
				req.Header.Set("Authorization", "Bearer "+admin)
				rec := httptest.NewRecorder()
				handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest || !json.Valid(rec.Body.Bytes()) {
					t.Errorf("GET %s?%s: got %d %s", s.Path, rawQuery, rec.Code, rec.Body)
				}
			}
		})
	})
}
