package httpapi_test

import (
	"encoding/base64"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// BenchmarkAdminList compares one admin list call signed in with a bearer
// token and with Basic credentials (remembered after the first call); the
// target is Basic at no less than half the rate of bearer. The "ratio"
// run alternates the two, call by call, so that a busy machine slows both
// alike, and reports Basic's rate as a share of bearer's (basic/bearer):
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
		bearer := "Bearer " + desk.Token
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(desk.Email+":"+desk.Password))
		call := func(b *testing.B, header string) time.Duration {
			start := time.Now()
			req, _ := http.NewRequest("GET", a.URL+teamsPath+"?size=10", nil)
			req.Header.Set("Authorization", header)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
			return time.Since(start)
		}
		for _, auth := range []struct{ name, header string }{{"bearer", bearer}, {"basic", basic}} {
			b.Run(dialect+"/"+auth.name, func(b *testing.B) {
				for b.Loop() {
					call(b, auth.header)
				}
			})
		}
		b.Run(dialect+"/ratio", func(b *testing.B) {
			var withBearer, withBasic time.Duration
			for b.Loop() {
				withBearer += call(b, bearer)
				withBasic += call(b, basic)
			}
			b.ReportMetric(float64(withBearer)/float64(withBasic), "basic/bearer")
		})
	}
}
