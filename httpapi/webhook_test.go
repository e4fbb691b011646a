package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/webhook"
)

const webhooksPath = "/api/sys/webhooks"

// guarded serves the API with the webhook guard as the binary wires it.
func guarded(a *apitest.API, allowPrivate bool) {
	a.DB.CheckWebhookURL = (&webhook.Guard{AllowPrivate: allowPrivate}).CheckURL
}

func TestWebhookURLsThatReachThePrivateNetworkAreRefused(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		guarded(a, false)
		loc := a.NewLocation()
		for _, c := range []struct{ url, reason string }{
			{"http://127.0.0.1/hook", "loopback"},
			{"http://10.0.0.1/hook", "private"},
			{"http://[::1]/hook", "loopback"},
			{"http://169.254.169.254/latest/meta-data/", "link-local"},
			{"http://localhost:8080/hook", "resolves to 127.0.0.1"},
			{"ftp://example.com/hook", "http:// or https://"},
		} {
			body := a.Sample("WebHook", loc)
			body["URL"] = c.url
			r := a.Do("POST", webhooksPath, a.AdminToken(), body)
			if e := wantFieldError(t, r, "URL"); e != nil && !strings.Contains(e["Message"].(string), c.reason) {
				t.Errorf("POST URL %s: message %q, want it to say %q", c.url, e["Message"], c.reason)
			}
			// a replace is checked as a create is
			id := a.Create(a.AdminToken(), webhooksPath, a.Sample("WebHook", loc))
			body["Id"] = id
			if r := a.Do("PUT", webhooksPath, a.AdminToken(), body); r.Status != http.StatusBadRequest {
				t.Errorf("PUT URL %s: got %s, want 400", c.url, r)
			}
		}
	})
}

func TestWebhooksAllowPrivateAcceptsLoopback(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		guarded(a, true)
		body := a.Sample("WebHook", a.NewLocation())
		body["URL"] = "http://127.0.0.1:9000/hook"
		a.Create(a.AdminToken(), webhooksPath, body)
	})
}

// Action is read by number, number in a string, or event name; it is
// written as the number. The secret is never shown; delivery state is
// read-only.
func TestWebhookFields(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		for action, want := range map[any]string{"CoworkerCheckout": "35", "coworkercheckinfailed": "37", "36": "36", 100: "100"} {
			body := a.Sample("WebHook", loc)
			body["Action"], body["ErrorCount"], body["LastError"] = action, 7, "forged"
			id := a.Create(a.AdminToken(), webhooksPath, body)
			rec := a.Get(a.AdminToken(), webhooksPath+"/"+strconv.FormatInt(id, 10))
			if got := rec["Action"]; got == nil || fmt.Sprint(got) != want {
				t.Errorf("Action %v stored as %v, want %s", action, got, want)
			}
			if _, shown := rec["Secret"]; shown {
				t.Errorf("GET shows the Secret")
			}
			if fmt.Sprint(rec["ErrorCount"]) != "0" || rec["LastError"] != nil {
				t.Errorf("read-only delivery state was written: %v %v", rec["ErrorCount"], rec["LastError"])
			}
		}
		list := a.Do("GET", webhooksPath, a.AdminToken(), nil)
		if strings.Contains(list.String(), "s3cret") {
			t.Errorf("the list shows a secret: %s", list)
		}
		for _, bad := range []any{"CoworkerSneeze", 12, 0} {
			body := a.Sample("WebHook", loc)
			body["Action"] = bad
			if e := wantFieldError(t, a.Do("POST", webhooksPath, a.AdminToken(), body), "Action"); e != nil && bad != 0 &&
				!strings.Contains(e["Message"].(string), "36 (CoworkerCheckin)") {
				t.Errorf("Action %v: message %q, want the list of events", bad, e["Message"])
			}
		}
	})
}

func TestWebhookRoles(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		reader := a.NewUser("WebHook-List", "WebHook-Read")
		a.Want(a.Do("GET", webhooksPath, reader.Token, nil), http.StatusOK, "list with WebHook-List")
		a.Want(a.Do("POST", webhooksPath, reader.Token, a.Sample("WebHook", loc)), http.StatusForbidden, "create without WebHook-Create")
		a.Want(a.Do("GET", webhooksPath, a.NewUser("Checkin-List").Token, nil), http.StatusForbidden, "list without WebHook-List")
	})
}
