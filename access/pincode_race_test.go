package access_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/checkin-oss/checkin"
)

// TestRaceUniquePincode: while Security.GenerateUniquePincode is on, two
// administrators saving one pincode at once, for members of two locations
// of the network, through both instances, leave exactly one member with it.
func TestRaceUniquePincode(t *testing.T) {
	tests := []struct {
		name string
		save func(r *raceFixture, i int, beta int64, pincode string) request
	}{
		{"new members", func(r *raceFixture, i int, beta int64, pincode string) request {
			return coworkerRequest(http.MethodPost, map[string]any{"BusinessId": []int64{r.loc.ID, beta}[i%2],
				"FullName": fmt.Sprintf("New %d", i), "Email": fmt.Sprintf("new%d@example.com", i), "AccessPincode": pincode})
		}},
		{"existing members", func(r *raceFixture, i int, beta int64, pincode string) request {
			m := r.member(memberSpec{business: []int64{r.loc.ID, beta}[i%2], name: fmt.Sprintf("Old %d", i),
				email: fmt.Sprintf("old%d@example.com", i), pincode: fmt.Sprintf("%06d", 100000+i)})
			return coworkerRequest(http.MethodPut, map[string]any{"Id": m.ID, "BusinessId": m.BusinessID,
				"FullName": m.FullName, "Email": m.Email, "AccessPincode": pincode})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eachRace(t, func(t *testing.T, r *raceFixture) {
				beta := r.location("beta", r.loc.NetworkID)
				r.set(checkin.SettingGenerateUniquePincode, "True")
				admins := []string{r.admin("one@example.com"), r.admin("two@example.com")}
				const requests, pincode = 40, "777777"
				saves := make([]request, requests)
				for i := range saves {
					saves[i] = tc.save(r, i, beta.ID, pincode)
					saves[i].token = admins[i%len(admins)]
				}
				saved := 0
				for i, a := range r.burst(requests, func(i int) request { return saves[i] }) {
					switch {
					case a.err == nil && a.status == http.StatusOK:
						saved++
					case !contains400(a, "AccessPincode"):
						t.Errorf("save %d: %d %s (%v), want 200, or 400 about AccessPincode", i, a.status, a.raw, a.err)
					}
				}
				if saved != 1 {
					t.Errorf("%d saves of one pincode succeeded, want 1", saved)
				}
				if got := r.count("SELECT count(*) FROM coworkers WHERE access_pincode = '%s'", pincode); got != 1 {
					t.Errorf("members with pincode %s = %d, want 1", pincode, got)
				}
			})
		})
	}
}

func coworkerRequest(method string, body map[string]any) request {
	raw, _ := json.Marshal(body)
	return request{method: method, path: "/api/spaces/coworkers", body: string(raw)}
}

// admin creates a full administrator and returns its bearer token.
func (r *raceFixture) admin(email string) string {
	r.t.Helper()
	if _, err := r.db.EnsureAdmin(r.ctx, email, "admin-password"); err != nil {
		r.t.Fatal(err)
	}
	resp, err := r.client.PostForm(r.urls[0]+"/api/token", url.Values{"grant_type": {"password"}, "username": {email}, "password": {"admin-password"}})
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tokens); err != nil || tokens.AccessToken == "" {
		r.t.Fatalf("sign in as %s: %d %v", email, resp.StatusCode, err)
	}
	return tokens.AccessToken
}
