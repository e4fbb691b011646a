package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
)

type memberRow struct {
	ID                      int64
	Name, Email, Card, Plan string
	Active                  bool
}

type membersPage struct {
	*view
	Search string
	Rows   []memberRow
	Pager  pager
	Error  string
}

// memberSearch are the fields a search tries, in turn, until one finds
// someone: a name, an email, a card.
var memberSearch = []string{"Coworker_FullName", "Coworker_Email", "Coworker_AccessCardId"}

func (p *Pages) memberQuery(v *view, search string, field string, page int) (checkin.ListQuery, error) {
	values := url.Values{}
	values.Set("Coworker_BusinessId", strconv.FormatInt(v.Location.ID, 10))
	values.Set("orderBy", "FullName")
	values.Set("page", strconv.Itoa(page))
	values.Set("size", strconv.Itoa(consolePageSize))
	if search != "" {
		values.Set(field, search)
	}
	return checkin.Coworkers.ParseListQuery(values)
}

// members is GET /console/members: search by name, email or card.
func (p *Pages) members(w http.ResponseWriter, r *http.Request, v *view) {
	page := membersPage{view: v, Search: strings.TrimSpace(r.FormValue("q"))}
	f := listFilter{Page: 1}
	if raw := r.FormValue("page"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			p.renderList(w, r, "members", &page.Error, checkin.Invalid("page", raw, "must be a whole number from 1"), &page)
			return
		}
		f.Page = n
	}
	plans, err := p.plans(r, v)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	var recs []*checkin.Coworker
	var total int
	for _, field := range memberSearch {
		q, err := p.memberQuery(v, page.Search, field, f.Page)
		if err == nil {
			recs, total, err = p.Store.Coworkers().List(r.Context(), q)
		}
		if err != nil {
			p.renderList(w, r, "members", &page.Error, err, &page)
			return
		}
		if total > 0 || page.Search == "" {
			break
		}
	}
	for _, c := range recs {
		row := memberRow{ID: c.ID, Name: c.FullName, Email: c.Email, Card: c.AccessCardID, Active: c.Active}
		if c.TariffID != nil {
			row.Plan = plans[*c.TariffID]
		}
		page.Rows = append(page.Rows, row)
	}
	page.Pager = pager{Page: f.Page, Total: total, Counted: true, Pages: max(1, (total+consolePageSize-1)/consolePageSize)}
	link := func(n int) string {
		return v.withLocation(consolePath + "/members?q=" + url.QueryEscape(page.Search) + "&page=" + strconv.Itoa(n))
	}
	if f.Page > 1 {
		page.Pager.Prev = link(f.Page - 1)
	}
	if f.Page < page.Pager.Pages {
		page.Pager.Next = link(f.Page + 1)
	}
	page.Pager.CSV = v.withLocation(consolePath + "/members.csv")
	p.render(w, r, http.StatusOK, "members", page)
}

// membersCSV is GET /console/members.csv: every member of the location.
func (p *Pages) membersCSV(w http.ResponseWriter, r *http.Request, v *view) {
	q, err := p.memberQuery(v, "", "", 1)
	if err != nil {
		p.failure(w, r, v, err)
		return
	}
	httpapi.WriteCSV(p.API, w, r, checkin.Coworkers.Name, p.Store.Coworkers().(checkin.Exporter[checkin.Coworker]), q)
}

// plans are the location's plans by id.
func (p *Pages) plans(r *http.Request, v *view) (map[int64]string, error) {
	values := url.Values{"Tariff_BusinessId": {strconv.FormatInt(v.Location.ID, 10)}, "size": {strconv.Itoa(checkin.MaxPageSize)}}
	q, err := checkin.Tariffs.ParseListQuery(values)
	if err != nil {
		return nil, err
	}
	list, _, err := p.Store.Tariffs().List(r.Context(), q)
	plans := map[int64]string{}
	for _, t := range list {
		plans[t.ID] = t.Name
	}
	return plans, err
}

// memberFields are the form's fields: its name, label and API field.
var memberFields = []struct{ Name, Label, APIField string }{
	{"name", "Name", "FullName"},
	{"email", "Email", "Email"},
	{"pincode", "Pincode", "AccessPincode"},
	{"card", "Card", "AccessCardId"},
	{"plan", "Plan", "TariffId"},
}

type formField struct {
	Name, Label, Value, Error string
	Options                   []methodOption // for the plan
}

type memberPage struct {
	*view
	ID     int64
	Active bool
	Fields []formField
	Error  string
}

func (p *Pages) memberPage(r *http.Request, v *view, c *checkin.Coworker, err error) (memberPage, error) {
	plans, perr := p.plans(r, v)
	if perr != nil {
		return memberPage{}, perr
	}
	page := memberPage{view: v, ID: c.ID, Active: c.Active}
	plan := ""
	if c.TariffID != nil {
		plan = strconv.FormatInt(*c.TariffID, 10)
	}
	values := []string{c.FullName, c.Email, c.AccessPincode, c.AccessCardID, plan}
	var appErr *checkin.Error
	errors.As(err, &appErr)
	for i, mf := range memberFields {
		f := formField{Name: mf.Name, Label: mf.Label, Value: values[i]}
		if appErr != nil {
			for _, fe := range appErr.Fields {
				if strings.EqualFold(fe.Field, mf.APIField) {
					f.Error = mf.Label + " " + fe.Message + "."
				}
			}
		}
		if mf.Name == "plan" {
			f.Options = append(f.Options, methodOption{Value: "", Name: "No plan", Selected: plan == ""})
			for id, name := range plans {
				s := strconv.FormatInt(id, 10)
				f.Options = append(f.Options, methodOption{Value: s, Name: name, Selected: s == plan})
			}
		}
		page.Fields = append(page.Fields, f)
	}
	if err != nil {
		page.Error = checkin.ErrorMessage(err)
	}
	v.Title = "Add a member"
	if c.ID != 0 {
		v.Title = "Edit " + c.FullName
	}
	return page, nil
}

// memberForm is GET /console/members/new and GET /console/members/{id}.
func (p *Pages) memberForm(w http.ResponseWriter, r *http.Request, v *view) {
	c := &checkin.Coworker{Active: true}
	if r.PathValue("id") != "" {
		var err error
		if c, err = p.findMember(r, v); err != nil {
			p.failure(w, r, v, err)
			return
		}
	}
	p.showMember(w, r, v, c, nil)
}

func (p *Pages) showMember(w http.ResponseWriter, r *http.Request, v *view, c *checkin.Coworker, err error) {
	page, perr := p.memberPage(r, v, c, err)
	if perr != nil {
		p.failure(w, r, v, perr)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusBadRequest
	}
	p.render(w, r, status, "member", page)
}

// findMember finds the member of the path at the chosen location.
func (p *Pages) findMember(r *http.Request, v *view) (*checkin.Coworker, error) {
	id, err := httpapi.PathID(r)
	if err != nil {
		return nil, err
	}
	c, err := p.Store.Coworkers().Find(r.Context(), id)
	if err == nil {
		err = v.atLocation(checkin.Coworkers.Name, id, c.BusinessID)
	}
	return c, err
}

// fillMember copies the form into c.
func fillMember(r *http.Request, c *checkin.Coworker) error {
	c.FullName, c.Email = r.PostFormValue("name"), r.PostFormValue("email")
	c.AccessPincode, c.AccessCardID = r.PostFormValue("pincode"), r.PostFormValue("card")
	c.TariffID = nil
	if raw := strings.TrimSpace(r.PostFormValue("plan")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return checkin.Invalid("TariffId", raw, "is not a plan of this location")
		}
		c.TariffID = &id
	}
	return nil
}

// memberCreate is POST /console/members.
func (p *Pages) memberCreate(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.User.HasRole(checkin.Coworkers.Name, checkin.ActionCreate) {
		p.forbidden(w, r, v, "Adding a member needs the role Coworker-Create or a full administrator.")
		return
	}
	c := checkin.Coworkers.New()
	c.BusinessID = v.Location.ID
	err := fillMember(r, c)
	if err == nil {
		_, err = p.Store.Coworkers().Create(r.Context(), c)
	}
	p.memberSaved(w, r, v, c, err)
}

// memberSave is POST /console/members/{id}: an edit.
func (p *Pages) memberSave(w http.ResponseWriter, r *http.Request, v *view) {
	p.editMember(w, r, v, func(c *checkin.Coworker) error { return fillMember(r, c) })
}

// memberDeactivate is POST /console/members/{id}/deactivate.
func (p *Pages) memberDeactivate(w http.ResponseWriter, r *http.Request, v *view) {
	p.editMember(w, r, v, func(c *checkin.Coworker) error { c.Active = false; return nil })
}

// memberReactivate is POST /console/members/{id}/reactivate.
func (p *Pages) memberReactivate(w http.ResponseWriter, r *http.Request, v *view) {
	p.editMember(w, r, v, func(c *checkin.Coworker) error { c.Active = true; return nil })
}

func (p *Pages) editMember(w http.ResponseWriter, r *http.Request, v *view, change func(*checkin.Coworker) error) {
	if !v.User.HasRole(checkin.Coworkers.Name, checkin.ActionEdit) {
		p.forbidden(w, r, v, "Changing a member needs the role Coworker-Edit or a full administrator.")
		return
	}
	id, err := httpapi.PathID(r)
	var c *checkin.Coworker
	if err == nil {
		err = p.Store.Coworkers().Update(r.Context(), id, func(rec *checkin.Coworker) error {
			c = rec
			if err := v.atLocation(checkin.Coworkers.Name, id, rec.BusinessID); err != nil {
				return err
			}
			return change(rec)
		})
	}
	if c == nil || c.BusinessID != v.Location.ID {
		p.failure(w, r, v, err) // not found, or not here
		return
	}
	p.memberSaved(w, r, v, c, err)
}

// memberSaved shows the form again with the API's errors beside their
// fields, or returns to the list.
func (p *Pages) memberSaved(w http.ResponseWriter, r *http.Request, v *view, c *checkin.Coworker, err error) {
	switch checkin.ErrorCode(err) {
	case checkin.EINTERNAL:
		if err != nil {
			p.failure(w, r, v, err)
			return
		}
	case checkin.EINVALID, checkin.ECONFLICT, checkin.ENOTFOUND:
		p.showMember(w, r, v, c, err)
		return
	default:
		p.failure(w, r, v, err)
		return
	}
	http.Redirect(w, r, v.withLocation(consolePath+"/members?q="+url.QueryEscape(c.Email)), http.StatusSeeOther)
}
