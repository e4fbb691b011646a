package web

import (
	"errors"
	"net/http"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

type nowRow struct {
	ID                  int64
	Name, Since, Method string
}

type nowPage struct {
	*view
	Rows      []nowRow
	StreamURL string
	RowsURL   string
}

func (p *Pages) nowData(r *http.Request, v *view) (nowPage, error) {
	open, err := p.Store.OpenCheckins(r.Context(), v.Location.ID)
	if err != nil {
		return nowPage{}, err
	}
	page := nowPage{view: v, StreamURL: v.withLocation(consolePath + "/now/stream"), RowsURL: v.withLocation(consolePath + "/now/rows")}
	today := v.today()
	for _, c := range open {
		layout := "15:04"
		if c.FromTime.In(today.Location()).Before(today) {
			layout = "2 Jan 15:04"
		}
		page.Rows = append(page.Rows, nowRow{ID: c.ID, Name: memberName(c.CoworkerFullName), Since: v.localTime(c.FromTime.Time, layout), Method: methodName(c.Source)})
	}
	return page, nil
}

func memberName(name *string) string {
	if name == nil || *name == "" {
		return "Guest (access code)"
	}
	return *name
}

// now is GET /console/now: who is checked in.
func (p *Pages) now(w http.ResponseWriter, r *http.Request, v *view) {
	page, err := p.nowData(r, v)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	p.render(w, r, http.StatusOK, "now", page)
}

// nowRows is GET /console/now/rows: the table's count and rows alone, which
// the page fetches when the stream reports a change.
func (p *Pages) nowRows(w http.ResponseWriter, r *http.Request, v *view) {
	page, err := p.nowData(r, v)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	p.renderPart(w, r, "now", "rows", page)
}

// errCheckedOut stops the check-out of a check-in closed already: it is
// left as it is.
var errCheckedOut = errors.New("checked out already")

// checkOut is POST /console/checkins/{id}/checkout: the check-in closes now,
// as an admin's edit through the API closes it.
func (p *Pages) checkOut(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.User.HasRole(checkin.Checkins.Name, checkin.ActionEdit) {
		p.forbidden(w, r, v, "Checking a member out needs the role Checkin-Edit or a full administrator.")
		return
	}
	id, err := httpapi.PathID(r)
	if err == nil {
		err = p.Store.Checkins().Update(r.Context(), id, func(c *checkin.Checkin) error {
			if err := v.atLocation(checkin.Checkins.Name, id, c.BusinessID); err != nil {
				return err
			}
			if c.ToTime != nil {
				return errCheckedOut
			}
			c.ToTime = checkin.TimePtr(p.Clock.Now())
			return nil
		})
	}
	if err != nil && !errors.Is(err, errCheckedOut) {
		p.failure(w, r, v, err)
		return
	}
	http.Redirect(w, r, v.withLocation(consolePath+"/now"), http.StatusSeeOther)
}

// nowStream is GET /console/now/stream: the API's live stream of events
// (EVENTS.md, httpapi.EventStream) of the chosen location, under the
// console's session; the page fetches its table again at each check-in or
// check-out. It ends when the API's streams do (EventStream.Stop, closed
// at shutdown).
func (p *Pages) nowStream(w http.ResponseWriter, r *http.Request, v *view) {
	if p.API.Events == nil {
		p.failure(w, r, v, checkin.Errorf(checkin.ENOTFOUND, "The live stream is not served here."))
		return
	}
	p.API.Events.Serve(w, r, []int64{v.Location.ID})
}
