package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/checkin-oss/checkin"
)

// DefaultTimeout is how long a receiver has to answer a delivery.
const DefaultTimeout = 10 * time.Second

// Client posts deliveries. Redirects are not followed: a 3xx is a failure.
type Client struct {
	http      *http.Client
	userAgent string
}

// NewClient returns a client whose connections pass the guard, giving
// each delivery timeout to be answered (0: DefaultTimeout), and naming
// itself checkin/<version>.
func NewClient(g *Guard, timeout time.Duration, version string) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout, Control: g.Control, Resolver: g.Resolver}
	transport := &http.Transport{
		Proxy:                 nil, // a proxy would be the address the guard checks
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Client{
		http: &http.Client{
			Transport:     transport,
			Timeout:       timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		userAgent: "checkin/" + version,
	}
}

// Body is what a delivery posts: a JSON array holding the one record, as
// Nexudus sends it.
func Body(e checkin.Event) []byte {
	b := make([]byte, 0, len(e.Record)+2)
	b = append(b, '[')
	b = append(b, e.Record...)
	return append(b, ']')
}

// Send posts d's event to its webhook's URL, signed at time now. It
// returns "" when a 2xx came back, else the failure's reason, and
// whether the receiver answered 410 Gone.
func (c *Client) Send(ctx context.Context, d *checkin.Delivery, now time.Time) (failure string, gone bool) {
	body := Body(d.Event)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return "the URL could not be used: " + err.Error(), false
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("webhook-id", d.Event.ID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	if d.Secret != "" {
		req.Header.Set("X-Nexudus-Hook-Signature", NexudusSignature(d.Secret, body))
		req.Header.Set("webhook-signature", StandardSignature(d.Secret, d.Event.ID, ts, body))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return describe(err), false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return "", false
	case code >= 300 && code <= 399:
		return fmt.Sprintf("HTTP %d: a redirect, which is not followed (to %s)", code, resp.Header.Get("Location")), false
	default:
		return fmt.Sprintf("HTTP %d %s", code, http.StatusText(code)), code == http.StatusGone
	}
}

// describe words a network error for LastError and the log.
func describe(err error) string {
	var netErr net.Error
	var refused *refusal
	switch {
	case errors.As(err, &refused):
		return "not connected: " + refused.reason
	case errors.As(err, &netErr) && netErr.Timeout():
		return "no answer within the timeout"
	}
	var urlErr interface{ Unwrap() error }
	if errors.As(err, &urlErr) {
		if inner := urlErr.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}
