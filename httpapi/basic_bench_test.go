package httpapi_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// BenchmarkAdminList compares one admin list call signed in with a bearer
// token and with Basic credentials (remembered after the first call); the
// target is Basic at no less than half the rate of bearer:
//
//	go test -run '^$' -bench AdminList -benchtime 2000x ./httpapi
func BenchmarkAdminList(b *testing.B) {
	for _, dialect := range storetest.Dialects() {
		a := apitest.New(b, dialect, checkin.NewManualClock(storetest.Start))
		loc := a.NewLocation()
		for range 10 {
			a.Create(a.AdminToken(), teamsPath, a.Sample("Team", loc))
		}
		desk := a.NewUser("Team-List")
		for _, auth := range []struct{ name, header string }{
			{"bearer", "Bearer " + desk.Token},
			{"basic", "Basic " + base64.StdEncoding.EncodeToString([]byte(desk.Email+":"+desk.Password))},
		} {
			b.Run(dialect+"/"+auth.name, func(b *testing.B) {
				req, _ := http.NewRequest("GET", a.URL+teamsPath+"?size=10", nil)
				req.Header.Set("Authorization", auth.header)
				for b.Loop() {
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						b.Fatal(err)
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Fatalf("status %d", resp.StatusCode)
					}
				}
			})
		}
	}
}
