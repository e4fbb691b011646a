package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ListResult is what the list benchmark measured.
type ListResult struct {
	Latency    *Histogram
	TotalItems int // as the last answer said
	Want       int // as the seed says
	Errors     uint64
	Unexpected uint64
	Sample     string
}

// AdminToken signs the seeded administrator in at baseURL.
func AdminToken(ctx context.Context, baseURL string) (string, error) {
	form := url.Values{"grant_type": {"password"}, "username": {AdminEmail}, "password": {AdminPassword}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/api/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var pair struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&pair); err != nil || pair.AccessToken == "" {
		return "", fmt.Errorf("sign in as %s: answer %d", AdminEmail, resp.StatusCode)
	}
	return pair.AccessToken, nil
}

// ListQuery is the list benchmark's request: the first page, with
// TotalItems, of one location's failed check-ins on one UTC day.
func ListQuery(businessID int64, day time.Time) string {
	d := day.Format(time.DateOnly)
	return "/api/spaces/failedcheckins?FailedCheckin_Business=" + strconv.FormatInt(businessID, 10) +
		"&from_FailedCheckin_CheckinAttemptTime=" + d + "&to_FailedCheckin_CheckinAttemptTime=" + d
}

// MeasureList sends the list request n times, one after another on one
// keep-alive connection, after warmup requests that are not counted, and
// checks each answer's TotalItems against want.
func MeasureList(ctx context.Context, baseURL, token, path string, warmup, n, want int) *ListResult {
	res := &ListResult{Latency: new(Histogram), Want: want}
	client := &http.Client{Timeout: 30 * time.Second}
	for i := 0; i < warmup+n && ctx.Err() == nil; i++ {
		began := time.Now()
		status, total, records, err := listOnce(ctx, client, baseURL+path, token)
		took := time.Since(began)
		if i < warmup {
			continue
		}
		switch {
		case err != nil || status >= 500:
			res.Errors++
		case status != http.StatusOK || total != want || records != min(want, 25):
			res.Unexpected++
		default:
			res.Latency.Record(took)
		}
		if (err != nil || status != http.StatusOK || total != want) && res.Sample == "" {
			res.Sample = fmt.Sprintf("list: status %d, TotalItems %d (want %d), %d records, err %v", status, total, want, records, err)
		}
		res.TotalItems = total
	}
	return res
}

func listOnce(ctx context.Context, client *http.Client, u, token string) (status, total, records int, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, 0, 0, err
	}
	var page struct {
		TotalItems int
		Records    []json.RawMessage
	}
	if resp.StatusCode == http.StatusOK {
		err = json.Unmarshal(body, &page)
	}
	return resp.StatusCode, page.TotalItems, len(page.Records), err
}
