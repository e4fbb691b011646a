package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
	"github.com/checkin-oss/checkin/web"
)

var nextLink = regexp.MustCompile(`href="([^"]+)" rel="next"`)

// Failed check-ins are paged by a cursor. A text search reads a bounded
// number of refusals a page (here 5), newest first, and goes on from where
// it stopped: followed to its end it finds every match once, two refusals
// of one microsecond included. Without a text, each page goes on from the
// last refusal shown.
func TestFailedCheckinsPageByCursor(t *testing.T) {
	t.Parallel()
	for _, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, dialect, func(p *web.Pages) { p.SearchScan = 5 })
			name := "Business"
			const n = 120
			wantFound := map[string]int{}
			_, err := s.DB.SeedFailedCheckins(context.Background(), n, func(i int, f *checkin.FailedCheckin) {
				at := storetest.Start.Add(-time.Duration(i) * time.Minute)
				if i == 11 {
					at = at.Add(time.Minute) // the same time as 10
				}
				f.BusinessID, f.BusinessName, f.Source = s.location, &name, checkin.SourceDoorAccess
				f.CheckinAttemptTime = checkin.NewTime(at)
				f.Description = checkin.StringPtr(fmt.Sprintf("Card hay-%d is not registered.", i))
				if i%7 == 3 || i == 11 || i == 10 {
					f.Description = checkin.StringPtr(fmt.Sprintf("Card needle-%d is not registered.", i))
					wantFound[fmt.Sprintf("needle-%d", i)] = 1
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := s.operator()
			found := map[string]int{}
			path, pages := "/console/failed?"+loc(s)+"&q=NEEDLE", 0
			for path != "" && pages < 40 {
				p := b.get(path)
				want(t, p, http.StatusOK)
				for _, m := range regexp.MustCompile(`needle-\d+`).FindAllString(p.Body, -1) {
					found[m]++
				}
				if pages == 0 && (len(found) != 1 || !strings.Contains(p.Body, "Searched the refusals back to")) {
					t.Errorf("the first page of a search holds %v, want needle-3 alone (of the newest 5), and how far back it read", found)
				}
				pages++
				path = ""
				if m := nextLink.FindStringSubmatch(p.Body); m != nil {
					path = html.UnescapeString(m[1])
				}
			}
			if fmt.Sprint(found) != fmt.Sprint(wantFound) {
				t.Errorf("followed to its end, the search found %v, want %v", found, wantFound)
			}
			if pages < n/5 || pages > n/5+1 {
				t.Errorf("the search took %d pages, want %d or %d (5 refusals read a page)", pages, n/5, n/5+1)
			}
			want(t, b.get("/console/failed?"+loc(s)+"&q=x&before=soon"), http.StatusBadRequest, "is not where a search stopped")

			// Without a text, pages of 50 go on from the last one shown: a
			// refusal added meanwhile does not push a row onto the next page.
			seen, path, pages := map[string]int{}, "/console/failed?"+loc(s), 0
			for path != "" && pages < 5 {
				p := b.get(path)
				want(t, p, http.StatusOK, fmt.Sprintf("Page %d", pages+1))
				for _, m := range regexp.MustCompile(`(needle|hay)-\d+`).FindAllString(p.Body, -1) {
					seen[m]++
				}
				if pages++; pages == 1 {
					addRefusal(t, s, storetest.Start.Add(time.Second), "Card new-1 is not registered.")
				}
				path = ""
				if m := nextLink.FindStringSubmatch(p.Body); m != nil {
					path = html.UnescapeString(m[1])
				}
			}
			if len(seen) != n || pages != 3 {
				t.Errorf("paged through %d refusals in %d pages, want %d in 3", len(seen), pages, n)
			}
			for m, times := range seen {
				if times != 1 {
					t.Errorf("%s shown %d times", m, times)
				}
			}
		})
	}
}

func addRefusal(t *testing.T, s *site, at time.Time, reason string) {
	t.Helper()
	name := "Business"
	_, err := s.DB.SeedFailedCheckins(context.Background(), 1, func(_ int, f *checkin.FailedCheckin) {
		f.BusinessID, f.BusinessName, f.Source = s.location, &name, checkin.SourceDoorAccess
		f.CheckinAttemptTime, f.Description = checkin.NewTime(at), &reason
	})
	if err != nil {
		t.Fatal(err)
	}
}
