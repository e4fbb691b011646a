package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/sqlstore/storetest"
)

// The browser tests run Debian's chromium, headless, with axe-core from
// CHECKIN_AXE_JS (.ci/run installs both). Without chromium they are
// skipped, unless CHECKIN_REQUIRE_BROWSER is set, as CI sets it.
// CHECKIN_SCREENSHOTS=<dir> keeps a screenshot of each page there
// (docs/screenshots).

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CHECKIN_REQUIRE_BROWSER") != "" {
		t.Fatal("chromium is not installed: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); the browser tests are skipped")
	return ""
}

// newBrowser starts one headless Chromium for all the scenarios.
func newBrowser(t *testing.T) context.Context {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

type step = chromedp.Action[chromedp.Void]

// run runs steps with a deadline, failing the test on an error.
func run(t *testing.T, ctx context.Context, what string, steps ...step) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("evaluate %.60s: %v", expr, err)
	}
	return v
}

// TestBrowser runs the scenarios of PAGES.md in Chromium on each test
// database, one after the other (each starts its own browser).
func TestBrowser(t *testing.T) {
	for i, dialect := range storetest.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			shots := ""
			if i == 0 {
				shots = os.Getenv("CHECKIN_SCREENSHOTS") // once is enough
			}
			browserScenarios(t, dialect, shots)
		})
	}
}

func browserScenarios(t *testing.T, dialect, shots string) {
	clock := checkin.NewManualClock(storetest.Start)
	a := apitest.New(t, dialect, clock, withPages(clock), func(s *httpapi.Server) { s.DefaultLocation = "kiosk" })
	ctx := newBrowser(t) // after the server: cleanups run last first, so the browser goes before it
	admin := a.AdminToken()
	loc := a.Create(admin, apitest.Path("Business"), map[string]any{"Name": "Harbour Coworking", "WebAddress": "kiosk", "TimeZone": "Europe/London"})
	plan := a.Create(admin, apitest.Path("Tariff"), map[string]any{"BusinessId": loc, "Name": "Two days a week", "CheckinWeekLimit": 2})
	for _, m := range []struct{ name, email, pincode, card string }{
		{"Jane Doe", "jane@example.com", "246810", "CARD-0001"},
		{"Sam Lee", "sam@example.com", "135790", "CARD-0002"},
		{"Alex Kim", "alex@example.com", "112358", "CARD-0003"},
		{"Pat Moss", "pat@example.com", "975310", "CARD-0004"},
	} {
		a.Create(admin, apitest.Path("Coworker"), map[string]any{"BusinessId": loc, "FullName": m.name, "Email": m.email,
			"Password": m.email + "-pw", "AccessPincode": m.pincode, "AccessCardId": m.card, "TariffId": plan})
	}
	pages := map[string]string{} // name → path, for axe and layout
	status, alert, pincode := role("status", ""), role("alert", ""), textbox("Pincode")
	tap := func(digits string) []step {
		var clicks []step
		for _, d := range digits {
			clicks = append(clicks, click(button(string(d))))
		}
		return append(clicks, click(button("Enter")))
	}

	t.Run("kiosk pincode", func(t *testing.T) {
		run(t, ctx, "open the kiosk", chromedp.Navigate(a.URL+"/kiosk"), waitFor(button("Enter")))
		pages["kiosk"] = "/kiosk"
		for _, name := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "Enter", "Sign in with email"} {
			run(t, ctx, "find the button "+name, waitFor(button(name)))
		}
		run(t, ctx, "find the heading", waitFor(role("heading", "Harbour Coworking")))
		screenshot(t, ctx, shots, "kiosk")
		run(t, ctx, "tap the pincode", tap("246810")...)
		got := waitText(t, ctx, status, "Jane Doe")
		if !strings.Contains(got, "Checked in") {
			t.Errorf("status %q, want Jane Doe and Checked in", got)
		}
		screenshot(t, ctx, shots, "kiosk-checked-in")
	})

	t.Run("kiosk wrong pincode", func(t *testing.T) {
		run(t, ctx, "tap a wrong pincode", tap("9999")...)
		got := waitText(t, ctx, alert, "That pincode is not right.")
		if value, status := value(t, ctx, pincode), text(t, ctx, status); value != "" || status != "" {
			t.Errorf("after a refusal: pincode %q, status %q; want both empty", value, status)
		}
		for _, name := range []string{"Jane", "Sam", "Alex", "Pat"} {
			if strings.Contains(got, name) {
				t.Errorf("the alert %q names a member", got)
			}
		}
		screenshot(t, ctx, shots, "kiosk-refused")
	})

	t.Run("kiosk card reader", func(t *testing.T) {
		run(t, ctx, "a card reader types", chromedp.KeyEvent("CARD-0002\r"))
		waitText(t, ctx, status, "Sam Lee: Checked in")
		if value := value(t, ctx, pincode); value != "" {
			t.Errorf("the card's characters stayed in the pincode field: %q", value)
		}
	})

	t.Run("kiosk email and plan used up", func(t *testing.T) {
		run(t, ctx, "sign in with email", click(button("Sign in with email")),
			typeInto(textbox("Email"), "alex@example.com"), typeInto(textbox("Password"), "alex@example.com-pw"),
			click(button("Enter")))
		waitText(t, ctx, status, "Alex Kim: Checked in")
		screenshot(t, ctx, shots, "kiosk-email")
		// Alex checks out, and checks in on two more days: the plan allows two a week.
		for _, day := range []int{0, 1, 2} {
			a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "112358", "toggle": true})
			clock.Advance(24 * time.Hour)
			if day < 2 {
				a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "112358", "toggle": true})
			}
		}
		run(t, ctx, "reload", chromedp.Navigate(a.URL+"/kiosk"), waitFor(button("Enter")))
		run(t, ctx, "tap Alex's pincode", tap("112358")...)
		got := waitText(t, ctx, alert, "You cannot check in")
		if !strings.Contains(got, "Two days a week") || strings.Contains(got, "Alex") {
			t.Errorf("plan used up: %q, want the plan's limit without the member's name", got)
		}
	})

	t.Run("kiosk too many attempts", func(t *testing.T) {
		got := ""
		for range 20 {
			run(t, ctx, "tap a wrong pincode", tap("8888")...)
			time.Sleep(100 * time.Millisecond)
			if got = text(t, ctx, alert); strings.Contains(got, "Too many") {
				break
			}
		}
		if !strings.Contains(got, "Too many failed attempts. Please wait ") || !strings.Contains(got, " second") {
			t.Errorf("after many wrong pincodes the alert says %q, want how long to wait", got)
		}
		screenshot(t, ctx, shots, "kiosk-throttled")
		clock.Advance(25 * time.Hour) // past the throttling window, for the scenarios that follow
	})

	t.Run("kiosk idle reset", func(t *testing.T) {
		// The shortest Kiosk.ResetSeconds, so that the test waits 3 s, not 10.
		a.Create(admin, apitest.Path("BusinessSetting"), map[string]any{"BusinessId": loc, "Name": checkin.SettingKioskResetSeconds, "Value": "3"})
		run(t, ctx, "reload", chromedp.Navigate(a.URL+"/kiosk"), waitFor(button("Enter")))
		run(t, ctx, "tap a wrong pincode", tap("4444")...)
		waitText(t, ctx, alert, "That pincode is not right.")
		run(t, ctx, "start an email sign-in", click(button("Sign in with email")), typeInto(textbox("Email"), "pat@"))
		if got := value(t, ctx, textbox("Email")); got != "pat@" {
			t.Fatalf("the Email field holds %q, want what was typed", got)
		}
		// Without input the page goes back to an empty keypad.
		run(t, ctx, "wait for the reset", waitFor(pincode))
		deadline := time.Now().Add(10 * time.Second)
		for text(t, ctx, alert) != "" || axNode(t, ctx, textbox("Email")) != nil {
			if time.Now().After(deadline) {
				t.Fatalf("no reset: the alert holds %q, the email form is still shown", text(t, ctx, alert))
			}
			time.Sleep(100 * time.Millisecond)
		}
		if got := value(t, ctx, pincode); got != "" {
			t.Errorf("after the reset the Pincode holds %q, want it empty", got)
		}
	})

	t.Run("console", func(t *testing.T) {
		run(t, ctx, "sign in", chromedp.Navigate(a.URL+"/console"), waitFor(textbox("Email")))
		pages["console-signin"] = "/console/signin"
		screenshot(t, ctx, shots, "console-signin")
		now := role("table", "Members checked in now")
		run(t, ctx, "sign in", typeInto(textbox("Email"), apitest.AdminEmail), typeInto(textbox("Password"), apitest.AdminPassword),
			click(button("Sign in")), waitFor(now))
		for _, name := range []string{"Now", "Check-ins", "Failed check-ins", "Activity", "Members"} {
			run(t, ctx, "find the link "+name, waitFor(link(name)))
		}
		for _, name := range []string{"Name", "Since", "Method"} {
			run(t, ctx, "find the column "+name, waitFor(role("columnheader", name)))
		}
		before := waitText(t, ctx, status, "checked in")
		start := time.Now()
		a.Want(a.Do("POST", "/api/public/checkin", "", map[string]any{"pincode": "975310", "toggle": true}), http.StatusOK, "Pat checks in")
		waitText(t, ctx, now, "Pat Moss")
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("the check-in appeared on Now after %v, want within 2 s", elapsed)
		} else {
			t.Logf("the check-in appeared on Now after %v (count was %q)", elapsed, before)
		}
		screenshot(t, ctx, shots, "console-now")
		pages["console-now"] = "/console/now"
		run(t, ctx, "check Pat out", click(button("Check out").inRow("Pat Moss")))
		deadline := time.Now().Add(5 * time.Second)
		for {
			rows := text(t, ctx, now)
			if strings.Contains(rows, "Jane Doe") && !strings.Contains(rows, "Pat Moss") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Pat Moss is still on Now after Check out: %q", rows)
			}
			time.Sleep(50 * time.Millisecond)
		}

		// After Check out the page reloads, and its stream refreshes the table:
		// open the view by its link's address, not by a click on a node that
		// may be replaced meanwhile.
		href := eval[string](t, ctx, "location.origin") + attr(t, ctx, link("Failed check-ins"), "href")
		run(t, ctx, "open Failed check-ins", chromedp.Navigate(href), waitFor(role("heading", "Failed check-ins at Harbour Coworking")))
		// The refusals were days ago by the clock: show the whole week.
		from := storetest.Start.Format(time.DateOnly)
		london, _ := time.LoadLocation("Europe/London")
		refused := role("table", fmt.Sprintf("Refused check-ins from %s to %s", from, clock.Now().In(london).Format(time.DateOnly)))
		run(t, ctx, "show the week", setValue(role("Date", "From"), from), click(button("Show")), waitFor(refused))
		reasons := waitText(t, ctx, refused, "No member of this location has the pincode entered.")
		if !strings.Contains(reasons, "has used the 2 days a week of plan Two days a week") {
			t.Errorf("the plan's refusal is not listed with its reason: %q", reasons)
		}
		pages["console-failed"] = "/console/failed?from=" + from
		screenshot(t, ctx, shots, "console-failed")

		dir := t.TempDir()
		run(t, ctx, "download the CSV", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir})
			return err
		}), click(link("Download CSV")))
		csv := waitForDownload(t, dir)
		if !strings.HasPrefix(csv, "CoworkerId,") || !strings.Contains(csv, "No member of this location has the pincode entered.") {
			t.Errorf("downloaded CSV:\n%s", csv)
		}

		for name, path := range map[string]string{
			"console-checkins": "/console/checkins?from=" + from,
			"console-activity": "/console/activity",
			"console-members":  "/console/members",
			"console-member":   "/console/members/new",
		} {
			pages[name] = path
			run(t, ctx, "open "+path, chromedp.Navigate(a.URL+path), waitFor(role("heading", "")))
			screenshot(t, ctx, shots, name)
		}
		run(t, ctx, "add a member wrongly", chromedp.Navigate(a.URL+"/console/members/new"), waitFor(textbox("Name")),
			typeInto(textbox("Email"), "not-an-email"), click(button("Add member")))
		waitDescription(t, ctx, textbox("Name"), "Name is required.")
		if got := description(t, ctx, textbox("Email")); got == "" {
			t.Errorf("the Email field has no error beside it")
		}
		screenshot(t, ctx, shots, "console-member-errors")
	})

	axe := os.Getenv("CHECKIN_AXE_JS")
	t.Run("axe-core", func(t *testing.T) {
		if axe == "" {
			if os.Getenv("CHECKIN_REQUIRE_BROWSER") != "" {
				t.Fatal("CHECKIN_AXE_JS is not set: npm install axe-core@4 and point it at axe.min.js")
			}
			t.Skip("CHECKIN_AXE_JS is not set (npm install axe-core@4)")
		}
		src, err := os.ReadFile(axe)
		if err != nil {
			t.Fatal(err)
		}
		for name, path := range pages {
			run(t, ctx, "open "+path, chromedp.Navigate(a.URL+path), waitFor(role("heading", "")))
			eval[chromedp.Void](t, ctx, string(src)+";undefined", chromedp.EvalIgnoreExceptions)
			violations := eval[[]map[string]any](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
				.filter(v => v.impact === "serious" || v.impact === "critical")
				.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" "))})))`, chromedp.EvalAwaitPromise)
			for _, v := range violations {
				b, _ := json.Marshal(v)
				t.Errorf("%s (%s): %s", name, path, b)
			}
		}
	})

	t.Run("layout", func(t *testing.T) {
		for _, size := range []struct {
			w, h  int64
			scale float64
		}{{768, 1024, 1}, {1280, 800, 1}, {640, 400, 2}} { // the last is 1280×800 at 200 % zoom
			run(t, ctx, "resize", chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateScale(size.scale)))
			for name, path := range pages {
				run(t, ctx, "open "+path, chromedp.Navigate(a.URL+path), waitFor(role("heading", "")))
				overflow := eval[int64](t, ctx, `document.documentElement.scrollWidth - document.documentElement.clientWidth`)
				if overflow > 0 {
					t.Errorf("%s at %d×%d (scale %v) scrolls sideways by %d px", name, size.w, size.h, size.scale, overflow)
				}
			}
		}
		run(t, ctx, "reset", chromedp.ResetViewport())
	})
}

// waitForDownload returns the text of the first file finished in dir.
func waitForDownload(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".crdownload") {
				b, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err == nil && len(b) > 0 {
					return string(b)
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no download within 10 s")
	return ""
}

// screenshot keeps the page as docs/screenshots/<name>.png when dir is set.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
