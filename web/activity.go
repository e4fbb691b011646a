package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Chart sizes, in the SVG's own units; the SVG scales to its box.
const (
	chartWidth  = 720
	chartHeight = 240
	chartBottom = 210 // the bars' baseline
	chartTop    = 20
)

// chart is a bar chart drawn by the server, with the table of its numbers.
type chart struct {
	ID, Title, Caption string
	Labels             []string // one per bar, for the table
	Counts             []int
	Bars               []bar
	Max                int
}

type bar struct {
	X, Y, W, H float64
	Label      string // under the bar, when there is room
	LabelX     float64
	Count      int
}

func newChart(id, title, caption string, labels []string, counts []int, every int) chart {
	c := chart{ID: id, Title: title, Caption: caption, Labels: labels, Counts: counts, Max: 1}
	for _, n := range counts {
		c.Max = max(c.Max, n)
	}
	slot := float64(chartWidth) / float64(len(counts))
	for i, n := range counts {
		h := float64(chartBottom-chartTop) * float64(n) / float64(c.Max)
		b := bar{X: float64(i)*slot + slot*0.15, W: slot * 0.7, H: h, Y: chartBottom - h, Count: n, LabelX: float64(i)*slot + slot/2}
		if i%every == 0 {
			b.Label = labels[i]
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

type activityPage struct {
	*view
	Day     string
	Error   string
	Hours   chart
	Days    chart
	Busiest string
}

// activity is GET /console/activity: check-ins per hour of a day and per
// day of the 30 days to it.
func (p *Pages) activity(w http.ResponseWriter, r *http.Request, v *view) {
	page := activityPage{view: v}
	zone := v.Location.Location()
	day, err := parseDay(strings.TrimSpace(r.FormValue("day")), v.today(), zone, "day")
	page.Day = day.Format(time.DateOnly)
	if err != nil {
		p.renderList(w, r, "activity", &page.Error, err, &page)
		return
	}
	first, end := day.AddDate(0, 0, -29), day.AddDate(0, 0, 1)
	times, err := p.Store.CheckinTimes(r.Context(), v.Location.ID, first, end)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	hours, days := make([]int, 24), make([]int, 30)
	for _, t := range times {
		local := t.In(zone)
		if !local.Before(day) {
			hours[local.Hour()]++
		}
		d := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, zone)
		if i := daysBetween(first, d); i >= 0 && i < 30 {
			days[i]++
		}
	}
	hourLabels := make([]string, 24)
	for h := range hourLabels {
		hourLabels[h] = fmt.Sprintf("%02d:00", h)
	}
	dayLabels := make([]string, 30)
	for i := range dayLabels {
		dayLabels[i] = first.AddDate(0, 0, i).Format("2 Jan")
	}
	page.Hours = newChart("hours", "Check-ins per hour, "+day.Format("Monday 2 January 2006"), "Check-ins per hour", hourLabels, hours, 3)
	page.Days = newChart("days", "Check-ins per day, the 30 days to "+day.Format("2 January 2006"), "Check-ins per day", dayLabels, days, 5)
	page.Busiest = busiestHour(hours)
	p.render(w, r, http.StatusOK, "activity", page)
}

// daysBetween counts calendar days from a to b, across changes of the clock.
func daysBetween(a, b time.Time) int {
	ua := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	ub := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(ub.Sub(ua) / (24 * time.Hour))
}

func busiestHour(hours []int) string {
	best := 0
	for h, n := range hours {
		if n > hours[best] {
			best = h
		}
	}
	if hours[best] == 0 {
		return "No check-ins on this day."
	}
	return fmt.Sprintf("The busiest hour was %02d:00 to %02d:00, with %s.", best, (best+1)%24, plural(int64(hours[best]), "check-in"))
}
