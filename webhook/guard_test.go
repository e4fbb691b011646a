package webhook_test

import (
	"context"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/webhook"
)

func TestGuardRefusesPrivateHosts(t *testing.T) {
	refused := []struct{ url, reason string }{
		{"http://127.0.0.1/hook", "loopback"},
		{"https://10.0.0.1/hook", "private"},
		{"http://[::1]:8080/hook", "loopback"},
		{"http://169.254.169.254/latest/meta-data", "link-local"},
		{"http://localhost/hook", "resolves to 127.0.0.1, a loopback"},
		{"http://0.0.0.0/hook", "unspecified"},
		{"http://192.168.1.20/hook", "private"},
		{"http://[fd00::1]/hook", "private"},
		{"http://[::ffff:127.0.0.1]/hook", "loopback"},
		{"http://[fe80::1]/hook", "link-local"},
	}
	ctx := context.Background()
	for _, c := range refused {
		err := (&webhook.Guard{}).CheckURL(ctx, c.url)
		if err == nil || !strings.Contains(err.Error(), c.reason) || !strings.Contains(err.Error(), "--webhooks-allow-private") {
			t.Errorf("CheckURL(%s) = %v, want a refusal naming %q and the flag", c.url, err, c.reason)
		}
		if err := (&webhook.Guard{AllowPrivate: true}).CheckURL(ctx, c.url); err != nil {
			t.Errorf("with AllowPrivate, CheckURL(%s) = %v", c.url, err)
		}
	}
	for _, url := range []string{"https://93.184.216.34/hook", "http://[2606:4700::1111]/x"} {
		if err := (&webhook.Guard{}).CheckURL(ctx, url); err != nil {
			t.Errorf("CheckURL(%s) = %v, want a public address accepted", url, err)
		}
	}
	for _, url := range []string{"ftp://example.com/x", "https://user:pw@example.com/x", "http:///path", "not a url"} {
		if err := (&webhook.Guard{AllowPrivate: true}).CheckURL(ctx, url); err == nil {
			t.Errorf("CheckURL(%s) accepted", url)
		}
	}
}
