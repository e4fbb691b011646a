package web

import (
	"net/http"

	"github.com/checkin-oss/checkin"
)

type kioskPage struct {
	*view
	ResetSeconds int
	Keys         []string
}

// kiosk is GET /kiosk: the tablet by the entrance of the location the
// request's host names, as the public check-in finds it.
func (p *Pages) kiosk(w http.ResponseWriter, r *http.Request) {
	loc, err := p.API.Location(r.Context(), r.Host)
	if err == nil && loc == nil {
		err = checkin.Errorf(checkin.ENOTFOUND, "There is no location at this address, so there is no kiosk here. Check the address with the space's staff.")
	}
	if err != nil {
		p.failure(w, r, &view{}, err)
		return
	}
	settings, err := p.Store.Settings(r.Context(), loc.ID)
	if err != nil {
		p.failure(w, r, &view{}, err)
		return
	}
	p.render(w, r, http.StatusOK, "kiosk", kioskPage{view: &view{Title: loc.Name, Location: loc}, ResetSeconds: settings.KioskResetSeconds, Keys: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}})
}
