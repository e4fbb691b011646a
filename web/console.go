package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/checkin-oss/checkin"
)

// view is what every console page shows around its content.
type view struct {
	Title, Message string
	User           *checkin.User
	CSRF           string
	Nav            []navLink
	Locations      []*checkin.Business
	Location       *checkin.Business
	Path           string // the page's path, for the location form
	Now            time.Time
}

// atLocation is a not-found error, unless a record of entity with that id
// belongs to the chosen location.
func (v *view) atLocation(entity string, id, businessID int64) error {
	if businessID != v.Location.ID {
		return checkin.Errorf(checkin.ENOTFOUND, "%s %d was not found.", entity, id)
	}
	return nil
}

type navLink struct {
	Name, Href string
	Current    bool
}

// consoleView is one view of the console and the entity whose List role
// it needs.
type consoleView struct {
	name, path, entity string
}

var consoleViews = []consoleView{
	{"Now", consolePath + "/now", checkin.Checkins.Name},
	{"Check-ins", consolePath + "/checkins", checkin.Checkins.Name},
	{"Failed check-ins", consolePath + "/failed", checkin.FailedCheckins.Name},
	{"Activity", consolePath + "/activity", checkin.Checkins.Name},
	{"Members", consolePath + "/members", checkin.Coworkers.Name},
}

func (p *Pages) consoleRoutes() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /console":                          p.session(p.home),
		"GET /console/signin":                   http.HandlerFunc(p.signInForm),
		"POST /console/signin":                  http.HandlerFunc(p.signIn),
		"POST /console/signout":                 p.session(p.signOut),
		"GET /console/now":                      p.viewing(0, p.now),
		"GET /console/now/rows":                 p.viewing(0, p.nowRows),
		"GET /console/now/stream":               p.viewing(0, p.nowStream),
		"POST /console/checkins/{id}/checkout":  p.viewing(0, p.checkOut),
		"GET /console/checkins":                 p.viewing(1, p.checkins),
		"GET /console/checkins.csv":             p.viewing(1, p.checkinsCSV),
		"GET /console/failed":                   p.viewing(2, p.failed),
		"GET /console/failed.csv":               p.viewing(2, p.failedCSV),
		"GET /console/activity":                 p.viewing(3, p.activity),
		"GET /console/members":                  p.viewing(4, p.members),
		"GET /console/members.csv":              p.viewing(4, p.membersCSV),
		"GET /console/members/new":              p.viewing(4, p.memberForm),
		"POST /console/members":                 p.viewing(4, p.memberCreate),
		"GET /console/members/{id}":             p.viewing(4, p.memberForm),
		"POST /console/members/{id}":            p.viewing(4, p.memberSave),
		"POST /console/members/{id}/deactivate": p.viewing(4, p.memberDeactivate),
		"POST /console/members/{id}/reactivate": p.viewing(4, p.memberReactivate),
		"GET /console/{rest...}":                p.session(p.noView),
		"POST /console/{rest...}":               p.session(p.noView),
	}
}

// home sends the user to the first view they may see.
func (p *Pages) home(w http.ResponseWriter, r *http.Request, v *view) {
	p.fillNav(v, -1)
	if len(v.Nav) == 0 {
		p.forbidden(w, r, v, "Your account has no role that any view of the console needs (Checkin-List, FailedCheckin-List or Coworker-List).")
		return
	}
	http.Redirect(w, r, v.Nav[0].Href, http.StatusSeeOther)
}

func (p *Pages) noView(w http.ResponseWriter, r *http.Request, v *view) {
	p.fillNav(v, -1)
	p.failure(w, r, v, checkin.Errorf(checkin.ENOTFOUND, "The console has no page %s.", r.URL.Path))
}

// viewing runs h for a user who holds the List role of consoleViews[i]
// (403 otherwise), with the location chosen (?location=Id) among those the
// user may see.
func (p *Pages) viewing(i int, h signedIn) http.Handler {
	cv := consoleViews[i]
	return p.session(func(w http.ResponseWriter, r *http.Request, v *view) {
		v.Now = p.Clock.Now()
		v.Path = cv.path
		p.fillNav(v, i)
		if !v.User.HasRole(cv.entity, checkin.ActionList) {
			p.forbidden(w, r, v, "This view needs the role "+cv.entity+"-List or a full administrator.")
			return
		}
		locations, err := p.locations(r)
		if err != nil {
			p.failure(w, r, v, err)
			return
		}
		if len(locations) == 0 {
			p.failure(w, r, v, checkin.Errorf(checkin.ENOTFOUND, "There is no location you may see yet."))
			return
		}
		v.Locations, v.Location = locations, locations[0]
		if raw := r.FormValue("location"); raw != "" {
			id, _ := strconv.ParseInt(raw, 10, 64)
			var chosen *checkin.Business
			for _, b := range locations {
				if b.ID == id {
					chosen = b
				}
			}
			if chosen == nil {
				p.failure(w, r, v, checkin.Invalid("location", raw, "is not a location you may see"))
				return
			}
			v.Location = chosen
		}
		for j := range v.Nav {
			v.Nav[j].Href = v.withLocation(v.Nav[j].Href)
		}
		h(w, r, v)
	})
}

// fillNav links the views whose role the user holds.
func (p *Pages) fillNav(v *view, current int) {
	v.Nav = v.Nav[:0]
	for i, cv := range consoleViews {
		if v.User.HasRole(cv.entity, checkin.ActionList) {
			v.Nav = append(v.Nav, navLink{Name: cv.name, Href: cv.path, Current: i == current})
		}
	}
	if current >= 0 {
		v.Title = consoleViews[current].name
	}
}

// locations are the locations the signed-in user may see: the admin API's
// list of locations, read as that user.
func (p *Pages) locations(r *http.Request) ([]*checkin.Business, error) {
	q := checkin.Businesses.DefaultListQuery()
	q.OrderBy, q.Size = checkin.Businesses.Field("Name"), checkin.MaxPageSize
	list, _, err := p.Store.Businesses().List(r.Context(), q)
	return list, err
}

// withLocation adds the chosen location to a console link.
func (v *view) withLocation(href string) string {
	if v.Location == nil {
		return href
	}
	u, err := url.Parse(href)
	if err != nil {
		return href
	}
	q := u.Query()
	q.Set("location", strconv.FormatInt(v.Location.ID, 10))
	u.RawQuery = q.Encode()
	return u.String()
}

// Link is withLocation for templates.
func (v *view) Link(href string) string { return v.withLocation(href) }

// Can reports whether the user may act on an entity, for templates.
func (v *view) Can(entity, action string) bool {
	return v.User != nil && v.User.HasRole(entity, action)
}

// localTime shows an instant in the location's time zone.
func (v *view) localTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.In(v.Location.Location()).Format(layout)
}

// today is the location's date now.
func (v *view) today() time.Time {
	now := v.Now.In(v.Location.Location())
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
}

// methodNames name a check-in's Source in the console.
var methodNames = map[int64]string{
	checkin.SourceNone:            "Unknown",
	checkin.SourceManual:          "Pincode, email or desk",
	checkin.SourceDoorAccess:      "Access card",
	checkin.SourceNetworkActivity: "Wi-Fi device or access code",
	checkin.SourceTile:            "Tile",
	checkin.SourceSensor:          "Sensor",
}

func methodName(source int64) string {
	if n, ok := methodNames[source]; ok {
		return n
	}
	return "Source " + strconv.FormatInt(source, 10)
}
