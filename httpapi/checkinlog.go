package httpapi

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/access"
)

// logDecision writes one debug line per check-in: where, which method and
// why (the fields sent, never their values), the rule that decided, the
// outcome and how long it took. Passwords, pincodes and tokens never appear;
// a card shows its last characters only.
func (s *Server) logDecision(ctx context.Context, location string, req checkin.CheckinRequest, out access.Outcome, start time.Time) {
	if !s.Log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("location", location),
		slog.String("fields", strings.Join(access.PresentFields(req), ",")),
		slog.String("method", string(out.Method)),
		slog.String("why", out.Method.Reason()),
		slog.String("rule", redact(ruleOf(out), req)),
		slog.String("result", out.Result),
		slog.Int("status", out.Status),
	}
	if email := checkin.NormalizeEmail(req.Email); email != "" {
		attrs = append(attrs, slog.String("email", email))
	}
	if card := checkin.NormalizeCard(req.AccessCardID); card != "" {
		attrs = append(attrs, slog.String("card", maskCard(card)))
	}
	if mac := strings.TrimSpace(req.MAC); mac != "" {
		attrs = append(attrs, slog.String("mac", mac))
	}
	attrs = append(attrs, durationMS(time.Since(start)))
	s.Log.LogAttrs(ctx, slog.LevelDebug, "check-in decision", attrs...)
}

// ruleOf is the rule that decided an outcome, in words.
func ruleOf(out access.Outcome) string {
	switch {
	case out.Rule != "":
		return out.Rule
	case out.Throttled != nil:
		return "throttled before any credential was checked: too many failures for its " + string(out.Throttled.Scope) +
			" key; free again in " + out.Throttled.RetryAfter.Round(time.Second).String()
	case out.Result == checkin.CodeInvalidRequestData:
		return "the body is not a check-in request: no field of any method, or not valid JSON"
	case out.Result == checkin.CodeInvalidAccountSubdomain:
		return "the Host names no location (a subdomain of --base-domain, or --default-location)"
	case out.Result == "checked_in":
		return "every check passed: the member is in (a new check-in, or the open one refreshed)"
	case out.Result == "checked_out":
		return "an open check-in was closed (toggle or disconnect)"
	case out.Result == "validated":
		return "every check passed; doNotCheckIn: nothing was recorded"
	}
	return out.Result
}

// redact takes the request's secrets out of a text, and its card but for
// the last characters. Values shorter than 4 characters are left: they
// would only blot out ordinary words, and no rule quotes them.
func redact(text string, req checkin.CheckinRequest) string {
	for _, secret := range []string{req.Password, strings.TrimSpace(req.Pincode), strings.TrimSpace(req.Token)} {
		if len(secret) >= 4 {
			text = strings.ReplaceAll(text, secret, "[redacted]")
		}
	}
	for _, card := range []string{strings.TrimSpace(req.AccessCardID), checkin.NormalizeCard(req.AccessCardID)} {
		if len(card) >= 4 {
			text = strings.ReplaceAll(text, card, maskCard(card))
		}
	}
	return text
}

// maskCard shows a card's last 4 characters at most, and never more than
// half of it: "…319X".
func maskCard(card string) string {
	r := []rune(card)
	n := min(4, len(r)/2)
	return "…" + string(r[len(r)-n:])
}

// durationMS is a duration as logs give it: milliseconds, a number, the unit
// in the key.
func durationMS(d time.Duration) slog.Attr {
	return slog.Float64("duration_ms", float64(d.Microseconds())/1000)
}
