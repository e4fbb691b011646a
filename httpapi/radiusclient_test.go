package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
)

const radiusClientsPath = "/api/sys/radiusclients"

// TestRadiusClientSecretIsWriteOnly: the shared secret is required on
// create, kept when a replacement leaves it out, and never in an answer,
// a list or an error.
func TestRadiusClientSecretIsWriteOnly(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		const secret = "Rad1usSecretQz"
		body := map[string]any{"BusinessId": loc, "Name": "AP", "Address": "192.0.2.0/28", "Secret": secret}
		id := a.Create(admin, radiusClientsPath, body)
		answers := []*apitest.Response{
			a.Do("GET", fmt.Sprintf("%s/%d", radiusClientsPath, id), admin, nil),
			a.Do("GET", radiusClientsPath, admin, nil),
			a.Want(a.Do("POST", radiusClientsPath, admin, map[string]any{"BusinessId": loc, "Name": "B", "Address": "192.0.2.8", "Secret": "Oth3rSecretQz"}), http.StatusBadRequest, "an overlapping address"),
			a.Want(a.Do("POST", radiusClientsPath, admin, map[string]any{"BusinessId": loc, "Name": "C", "Address": "198.51.100.1", "Secret": "Sh0rt"}), http.StatusBadRequest, "a short secret"),
			a.Want(a.Do("POST", radiusClientsPath, admin, map[string]any{"BusinessId": loc, "Name": "D", "Address": "198.51.100.2"}), http.StatusBadRequest, "no secret"),
			a.Want(a.Do("PUT", radiusClientsPath, admin, map[string]any{"Id": id, "BusinessId": loc, "Name": "AP 2", "Address": "192.0.2.0/28", "RequireMessageAuthenticator": true}), http.StatusOK, "a replacement without the secret"),
		}
		for _, r := range answers {
			if strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), "Sh0rt") || strings.Contains(string(r.Body), "Oth3r") {
				t.Errorf("an answer shows a secret: %s", r.Body)
			}
		}
		if !strings.Contains(string(answers[2].Body), "overlaps") {
			t.Errorf("overlap refused without saying so: %s", answers[2].Body)
		}
		clients, err := a.DB.RadiusClientsWithSecrets(context.Background())
		if err != nil || len(clients) != 1 || clients[0].Secret != secret || clients[0].Name != "AP 2" || !clients[0].RequireMessageAuthenticator {
			t.Errorf("stored clients %+v (%v): want AP 2 with its secret kept and Message-Authenticator required", clients, err)
		}
	})
}
