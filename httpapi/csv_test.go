package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

func readCSV(t *testing.T, r *apitest.Response) [][]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("Content-Type %q, want text/csv: %s", ct, r)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, r.Body)
	}
	return rows
}

// A list answers CSV, asked by Accept or by ?format=csv: every matching
// record (not one page), a header of the list's fields in the list's
// order, RFC 4180 quoting, and a guard against spreadsheet formulas.
func TestListAnswersCSV(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		loc := a.NewLocation()
		names := []string{`=HYPERLINK("http://evil.example","x")`, "+1 plus", "-2 minus", "@SUM(A1)", `Comma, "quoted"`}
		for i := range 30 {
			c := a.Sample("Coworker", loc)
			if i < len(names) {
				c["FullName"] = names[i]
			}
			a.Create(admin, apitest.Path("Coworker"), c)
		}
		filter := fmt.Sprintf("/api/spaces/coworkers?Coworker_BusinessId=%d&orderBy=Id", loc)
		page := a.Want(a.Do("GET", filter, admin, nil), http.StatusOK, "JSON list")
		var list struct{ Records []json.RawMessage }
		if err := json.Unmarshal(page.Body, &list); err != nil || len(list.Records) == 0 {
			t.Fatalf("list: %v %s", err, page)
		}
		for _, ask := range []struct {
			name, path string
			header     []string
		}{
			{"Accept", filter, []string{"Accept: text/csv"}},
			{"format", filter + "&format=csv", nil},
			{"Accept with qualities", filter, []string{"Accept: application/json;q=0.5, text/csv"}},
		} {
			t.Run(ask.name, func(t *testing.T) {
				rows := readCSV(t, a.Want(a.Do("GET", ask.path, admin, nil, ask.header...), http.StatusOK, "CSV"))
				if got, want := len(rows), 31; got != want {
					t.Fatalf("%d rows, want %d (a header and all 30 members, not one page)", got, want)
				}
				want := jsonKeys(t, list.Records[0])
				if got := rows[0]; strings.Join(got, ",") != strings.Join(want[:len(got)], ",") || len(got) > len(want) {
					t.Errorf("header %v, want the list's fields in order %v", got, want)
				}
				col := indexOf(rows[0], "FullName")
				for i, name := range names {
					got, want := rows[i+1][col], httpapi.CSVCell(name)
					if got != want {
						t.Errorf("row %d FullName %q, want %q", i+1, got, want)
					}
				}
				if got := rows[1][col]; !strings.HasPrefix(got, "'=") {
					t.Errorf("formula cell %q is not guarded", got)
				}
			})
		}
		// Roles as for the list; a format it does not write is refused.
		clerk := a.NewUser("Checkin-List")
		a.Want(a.Do("GET", filter+"&format=csv", clerk.Token, nil), http.StatusForbidden, "CSV without Coworker-List")
		a.Want(a.Do("GET", filter+"&format=xml", admin, nil), http.StatusBadRequest, "format=xml")
		// An empty list is a header alone.
		rows := readCSV(t, a.Want(a.Do("GET", "/api/spaces/checkins?format=csv", admin, nil), http.StatusOK, "empty CSV"))
		if len(rows) != 1 || rows[0][0] == "" {
			t.Errorf("empty list: %v, want a header row only", rows)
		}
	})
}

func jsonKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	var keys []string
	dec.Token()
	for dec.More() {
		tok, _ := dec.Token()
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func TestCSVCell(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"=1+2", "'=1+2"}, {"+1", "'+1"}, {"-1", "'-1"}, {"@A1", "'@A1"},
		{"Jane", "Jane"}, {"", ""}, {"a=b", "a=b"}, {"'=x", "'=x"},
	} {
		if got := httpapi.CSVCell(c.in); got != c.want {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAcceptsCSV(t *testing.T) {
	for _, c := range []struct {
		accept string
		want   bool
	}{
		{"text/csv", true}, {"application/json, text/csv;q=0.4", true}, {"TEXT/CSV", true},
		{"text/csv;q=0", false}, {"application/json", false}, {"", false}, {"*/*", false},
	} {
		if got := httpapi.AcceptsCSV(c.accept); got != c.want {
			t.Errorf("AcceptsCSV(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}

// A CSV holds only the records of the locations the user is limited to,
// as the list does.
func TestCSVLocationScope(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		admin := a.AdminToken()
		mine, theirs := a.NewLocation(), a.NewLocation()
		for _, loc := range []int64{mine, theirs} {
			a.Create(admin, apitest.Path("Coworker"), a.Sample("Coworker", loc))
		}
		n := a.Next()
		email := fmt.Sprintf("desk%d@example.com", n)
		a.Create(admin, apitest.Path("User"), map[string]any{"Email": email, "Password": "desk-password", "Roles": []string{"Coworker-List"}, "Businesses": []int64{mine}})
		token := a.SignIn(email, "desk-password").AccessToken
		rows := readCSV(t, a.Want(a.Do("GET", "/api/spaces/coworkers?format=csv", token, nil), http.StatusOK, "CSV"))
		col := indexOf(rows[0], "BusinessId")
		if len(rows) != 2 || rows[1][col] != fmt.Sprint(mine) {
			t.Errorf("a user limited to location %d gets %v", mine, rows)
		}
	})
}
